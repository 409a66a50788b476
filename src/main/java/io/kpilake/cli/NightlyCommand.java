package io.kpilake.cli;

import io.kpilake.NightlyJob;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "nightly", description = "Ingest, transform, compute and publish everything for one as-of date.")
public final class NightlyCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--as-of", required = true, paramLabel = "YYYY-MM-DD", converter = AsOfConverter.class,
      description = "The run's as-of date (or 'yesterday' / 'today', UTC)")
  LocalDate asOf;

  @Override
  public Integer call() {
    AppContext ctx = common.context(true);
    new NightlyJob(ctx.writer(), ctx.config).run(asOf);
    return Main.OK;
  }
}
