package io.kpilake.cli;

import io.kpilake.NightlyJob;
import io.kpilake.publish.Publisher;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kpi backfill --from F --to T}: reruns history, e.g. after a definition change. Ingests what
 * landed up to T, then recomputes every KPI under the current definitions and republishes as of T,
 * even when the inputs are unchanged (a nightly would skip). Every publication holds the whole
 * history up to its as-of date, so this one run restates every month from F on.
 */
@Command(name = "backfill", description = "Rerun history under the current definitions (e.g. after a definition change).")
public final class BackfillCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD", converter = AsOfConverter.class,
      description = "First day whose KPIs must be restated")
  LocalDate from;

  @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", converter = AsOfConverter.class,
      description = "Last day: the as-of date of the republished tables (not before the current publication's)")
  LocalDate to;

  @Override
  public Integer call() {
    if (from.isAfter(to)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--from " + from + " is after --to " + to);
    }
    AppContext ctx = common.context(true);
    LocalDate published = Publisher.publishedAsOf(ctx.writer());
    if (published != null && to.isBefore(published)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--to " + to + " is before the as-of date of the "
          + "published tables (" + published + "); a backfill restates history up to the present: use --to " + published
          + " or later");
    }
    new NightlyJob(ctx.writer(), ctx.config).backfill(from).run(to);
    return Main.OK;
  }
}
