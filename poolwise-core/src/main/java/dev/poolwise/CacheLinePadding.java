package dev.poolwise;

/**
 * 64 bytes of fields that a subclass's fields are laid out after (the JVM places superclass fields
 * first), so that the subclass's frequently written fields never share a cache line with the tail of
 * whatever object the allocator put just before it. Used by objects that one thread writes on every
 * borrow while other threads write their neighbours: connection entries and their timing rings. Without
 * it, two threads borrowing two different connections slow each other down through false sharing, by
 * up to half, depending on where the garbage collector happened to place the objects.
 */
abstract class CacheLinePadding {
  @SuppressWarnings("unused")
  private long pad0;
  @SuppressWarnings("unused")
  private long pad1;
  @SuppressWarnings("unused")
  private long pad2;
  @SuppressWarnings("unused")
  private long pad3;
  @SuppressWarnings("unused")
  private long pad4;
  @SuppressWarnings("unused")
  private long pad5;
  @SuppressWarnings("unused")
  private long pad6;
  @SuppressWarnings("unused")
  private long pad7;
}
