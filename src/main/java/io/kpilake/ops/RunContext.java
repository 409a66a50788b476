package io.kpilake.ops;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** Identity of one pipeline run: id, as-of date and the policy hash of its KPI definitions. */
public record RunContext(String runId, LocalDate asOf, String policyHash, Instant startedAt, String appVersion) {

  public static RunContext start(LocalDate asOf, String policyHash) {
    Instant now = Instant.now();
    String id = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now)
        + "-" + UUID.randomUUID().toString().substring(0, 8);
    return new RunContext(id, asOf, policyHash, now, currentAppVersion());
  }

  public static String currentAppVersion() {
    String v = RunContext.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-dev" : v;
  }
}
