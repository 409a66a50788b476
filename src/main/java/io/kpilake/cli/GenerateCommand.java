package io.kpilake.cli;

import io.kpilake.generate.Generator;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", description = "Write deterministic synthetic landing data with every feed.")
public final class GenerateCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger("io.kpilake.progress");

  @Option(names = "--accounts", defaultValue = "2000", description = "Number of accounts (default ${DEFAULT-VALUE})")
  int accounts;

  @Option(names = "--months", defaultValue = "24", description = "Months of history (default ${DEFAULT-VALUE})")
  int months;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed: same seed, same files (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", required = true, description = "Landing directory to write")
  Path out;

  @Option(names = "--start", defaultValue = "2024-01-01", description = "First day of the data (default ${DEFAULT-VALUE})")
  LocalDate start;

  @Option(names = "--usage-days", defaultValue = "120",
      description = "Days of usage_daily, ending on the last day (it is the largest feed by far; default ${DEFAULT-VALUE})")
  int usageDays;

  @Option(names = "--bad-rate", defaultValue = "0.002", description = "Share of deliberately bad records (default ${DEFAULT-VALUE})")
  double badRate;

  @Override
  public Integer call() {
    if (accounts < 1 || months < 1 || usageDays < 0 || badRate < 0 || badRate > 0.5) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--accounts and --months must be >= 1, --usage-days >= 0, --bad-rate in [0, 0.5]");
    }
    long t0 = System.nanoTime();
    Generator.Summary s = Generator.generate(new Generator.Params(accounts, months, seed, out, start, usageDays, badRate));
    LOG.info("generated {} accounts, {} .. {} in {}: {} ({} s)", accounts, s.firstDay(), s.lastDay(), out, s.rows(),
        String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    LOG.info("deliberately bad records: {}", s.badRecords());
    System.out.println("last day: " + s.lastDay());
    return Main.OK;
  }
}
