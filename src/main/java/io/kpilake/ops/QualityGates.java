package io.kpilake.ops;

import io.kpilake.config.KpiConfig;
import io.kpilake.config.KpiConfig.GateLevel;
import io.kpilake.config.KpiConfig.QualitySettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that run before anything is published (kpi.quality.gates). A check yields findings, one
 * readable sentence each; the gate's level decides what a finding does: {@code error} fails the run
 * (exit 3, nothing published, previous results stay), {@code warn} is recorded only, {@code off}
 * drops it.
 */
public final class QualityGates {
  private QualityGates() {}

  /** Something a gate found. */
  public record Finding(String gate, String message) {}

  /** The findings sorted by what they do. */
  public record Verdict(List<String> errors, List<String> warnings) {
    public boolean failed() {
      return !errors.isEmpty();
    }
  }

  /** A finding when {@code n > 0}: "{@code n what}". */
  public static void count(List<Finding> findings, String gate, long n, String what) {
    if (n > 0) {
      findings.add(new Finding(gate, n + " " + what));
    }
  }

  public static Verdict judge(List<Finding> findings, QualitySettings q) {
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (Finding f : findings) {
      GateLevel level = q.gate(f.gate()).level();
      if (level == GateLevel.ERROR) {
        errors.add(f.message());
      } else if (level == GateLevel.WARN) {
        warnings.add(f.gate() + " (warn): " + f.message());
      }
    }
    return new Verdict(List.copyOf(errors), List.copyOf(warnings));
  }

  /**
   * Ends {@code step} with the verdict (failed, warned or succeeded) and throws when an error-level
   * gate failed, so the caller publishes nothing.
   */
  public static Verdict enforce(List<Finding> findings, QualitySettings q, StepLog.Step step, String passed,
      String failurePrefix) {
    Verdict v = judge(findings, q);
    if (v.failed()) {
      List<String> all = new ArrayList<>(v.errors());
      all.addAll(v.warnings());
      step.end("failed", null, null, null, String.join("; ", all));
      throw new QualityGateFailure(failurePrefix + String.join("; ", v.errors()));
    }
    if (!v.warnings().isEmpty()) {
      step.end("warned", null, null, null, String.join("; ", v.warnings()));
    } else {
      step.succeeded(null, null, null, passed);
    }
    return v;
  }
}
