package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.lab.model.PagePlanner;
import dev.poolwise.lab.model.QueryKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The model draws exactly the pages the lab draws: same seed, same requests, same queries, same sleeps. */
class PagePlannerTest {

  private static final Map<String, QueryKind> KIND_OF_SQL = LabCalibration.SQL.entrySet().stream()
      .collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));

  @ParameterizedTest
  @ValueSource(longs = {42, 1, 7})
  void theModelPlansTheLabsPages(long seed) {
    Scenario scenario = new Scenario(12, 15, 3, 8, 12, 1, 3, 0.2, 0.3, 0.05, 100, 70, 2000, false, 3, seed);
    PageLoadWorkload lab = new PageLoadWorkload(scenario, null, null, null);
    SplittableRandom labRoot = new SplittableRandom(seed);
    SplittableRandom modelRoot = new SplittableRandom(seed);
    for (int user = 0; user < scenario.users(); user++) {
      SplittableRandom labRandom = labRoot.split();
      int userId = 1 + labRandom.nextInt(LabSchema.USERS);
      int organizationId = 1 + userId % LabSchema.ORGANIZATIONS;
      PagePlanner model = new PagePlanner(scenario, modelRoot.split());
      for (int page = 0; page < 20; page++) {
        assertThat(model.page()).isEqualTo(translate(lab.planPage(labRandom, userId, organizationId)));
        assertThat(model.background())
            .isEqualTo(translate(lab.planBackground(labRandom, userId, organizationId)));
      }
    }
  }

  private static List<PagePlanner.Request> translate(List<PageLoadWorkload.RequestPlan> plans) {
    List<PagePlanner.Request> requests = new ArrayList<>();
    for (PageLoadWorkload.RequestPlan plan : plans) {
      List<PagePlanner.Query> queries = plan.queries().stream()
          .map(q -> new PagePlanner.Query(KIND_OF_SQL.get(q.sql()), Math.round(q.seconds() * 1000.0)))
          .toList();
      requests.add(new PagePlanner.Request(plan.route(), plan.userLookup() != null, plan.organizationLookup() != null,
          queries));
    }
    return requests;
  }
}
