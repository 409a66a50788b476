package io.kpilake.cli;

import java.io.File;
import picocli.CommandLine.Option;

/** Options every command takes. */
public final class CommonOptions {
  @Option(names = "--conf", paramLabel = "FILE", description = "HOCON file layered over conf/kpi-defaults.conf")
  File conf;

  @Option(names = "--verbose", description = "Show Spark's own log lines and stack traces")
  boolean verbose;

  AppContext context(boolean logConfig) {
    Main.verbose(verbose);
    return AppContext.load(conf, System.getenv(), logConfig);
  }
}
