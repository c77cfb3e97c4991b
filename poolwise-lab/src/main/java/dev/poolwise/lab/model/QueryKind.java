package dev.poolwise.lab.model;

/** The page-load scenario's queries, as the model tells them apart: each has its own measured service demand. */
public enum QueryKind {
  /** The user lookup on a cache miss (primary key). */
  USER_BY_ID,
  /** The organization lookup on a cache miss (primary key). */
  ORGANIZATION_BY_ID,
  /** One task with its project (primary key and a join). */
  TASK_BY_ID,
  /** A project's 20 latest tasks (index range). */
  TASKS_OF_PROJECT,
  /** A task's first 20 comments (index range). */
  COMMENTS_OF_TASK,
  /** The list query: an organization's tasks with assignee and comment count, sorted. */
  TASK_LIST,
  /** The slow report's aggregate; its pg_sleep part is a delay, not work, and not part of this demand. */
  ACTIVITY_REPORT
}
