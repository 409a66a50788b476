package io.kpilake.config;

/** A bad configuration key or value, or a bad command-line argument: exit status 2. */
public final class ConfigError extends RuntimeException {
  public ConfigError(String message) {
    super(message);
  }

  public ConfigError(String message, Throwable cause) {
    super(message, cause);
  }
}
