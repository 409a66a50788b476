package io.kpilake.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The session's extensions: a user's join ours instead of replacing them. */
class SessionsTest {
  private static final String OURS = "io.delta.sql.DeltaSparkSessionExtension," + OnePartitionShuffles.Extension.class.getName();

  @Test
  void withoutAUserSettingTheExtensionsAreOurs() {
    assertEquals(OURS, Sessions.extensions());
    assertEquals(OURS, Sessions.extensions(null, null));
    assertEquals(OURS, Sessions.extensions(" ", ""));
  }

  @Test
  void aUsersExtensionsFollowOursEachOnce() {
    // spark-submit --conf spark.sql.extensions=a.B (a system property), kpi.spark.conf names c.D and Delta's again.
    assertEquals(OURS + ",a.B,c.D", Sessions.extensions("a.B", " c.D , io.delta.sql.DeltaSparkSessionExtension,a.B"));
  }
}
