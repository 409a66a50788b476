package io.kpilake.spark;

import java.util.List;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/** Java-to-Scala glue for Spark APIs that take a Seq of column names. */
public final class Cols {
  private Cols() {}

  public static Seq<String> seq(List<String> names) {
    return CollectionConverters.asScala(names).toList();
  }
}
