package io.kpilake.ops;

/** A data-quality gate failed (or a file was refused): nothing is published, exit status 3. */
public final class QualityGateFailure extends RuntimeException {
  public QualityGateFailure(String message) {
    super(message);
  }
}
