/** A modular application that uses Poolwise by its module name; run by ModularApplicationTest. */
module dev.poolwise.smoke {
  requires dev.poolwise;
}
