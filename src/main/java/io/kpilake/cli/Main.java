package io.kpilake.cli;

import io.kpilake.config.ConfigError;
import io.kpilake.ops.QualityGateFailure;
import java.io.PrintWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/kpi}: the command line. Exit status: 0 success; 2 usage or configuration error; 3 a
 * data-quality gate failed (or a file was refused) and nothing was published; 1 any other failure.
 * Errors are one line on stderr first, details after.
 */
@Command(name = "kpi", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Main.Version.class,
    description = "KPI Lake: subscription KPIs on Spark and Delta Lake.",
    subcommands = {NightlyCommand.class, BackfillCommand.class, SqlCommand.class, ServeCommand.class, DictionaryCommand.class, BenchCommand.class, GenerateCommand.class, DemoCommand.class})
public final class Main implements Runnable {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int GATE = 3;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "a command is required (nightly, backfill, sql, serve, dictionary, generate, demo)");
  }

  public static void main(String[] args) {
    muteShadedSlf4jNotice();
    int code = run(args);
    System.out.flush();
    System.exit(code);
  }

  /** Runs the command line in this JVM and returns the exit status (tests call this). */
  public static int run(String... args) {
    return run(new PrintWriter(System.err, true), args);
  }

  /** As {@link #run(String...)}, with errors written to {@code err}. */
  public static int run(PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> handle(ex, cmd.getErr(), isVerbose(parsed)));
    cl.setParameterExceptionHandler((ex, a) -> {
      PrintWriter e = ex.getCommandLine().getErr();
      e.println("kpi: " + ex.getMessage());
      e.println("(see 'kpi " + ex.getCommandLine().getCommandName() + " --help')");
      err.flush();
      return USAGE;
    });
    return cl.execute(args);
  }

  private static boolean isVerbose(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult sub = parsed;
    while (sub.hasSubcommand()) {
      sub = sub.subcommand();
    }
    return sub.hasMatchedOption("--verbose");
  }

  static int handle(Exception ex, PrintWriter err, boolean verbose) {
    int code;
    String kind;
    boolean trace = verbose;
    if (ex instanceof io.kpilake.ops.WarehouseLock.Busy) {
      code = FAILURE;
      kind = "warehouse busy";
    } else if (ex instanceof io.kpilake.ops.Retry.StorageFailure) {
      code = FAILURE;
      kind = "storage error";
    } else if (ex instanceof ConfigError) {
      code = USAGE;
      kind = "configuration error";
    } else if (ex instanceof QualityGateFailure) {
      code = GATE;
      kind = "quality gate failed";
    } else {
      code = FAILURE;
      kind = "failed";
      trace = true;
    }
    err.println("kpi: " + kind + ": " + oneLine(ex));
    if (trace) {
      ex.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  /**
   * The AWS SDK bundle (hadoop-aws) carries its own shaded SLF4J 1.7, which prints three "SLF4J:
   * Failed to load class" lines on stderr the first time the SDK logs: on S3 a failing run's stderr
   * would not begin with its error (cli.md). Its one-time initialization runs here with stderr muted;
   * without the SDK on the class path there is nothing to do.
   */
  static void muteShadedSlf4jNotice() {
    java.io.PrintStream err = System.err;
    try {
      System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      Class.forName("software.amazon.awssdk.thirdparty.org.slf4j.LoggerFactory").getMethod("getILoggerFactory").invoke(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      // not on the class path (a cluster's own Hadoop, a slimmer build): nothing prints either
    } finally {
      System.setErr(err);
    }
  }

  static String oneLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  static void verbose(boolean on) {
    if (on) {
      Configurator.setRootLevel(Level.INFO);
      // Our own detail: per-phase timings of ingest, Spark jobs by source at the end of a run.
      Configurator.setLevel("io.kpilake", Level.DEBUG);
    }
  }

  /** Version from the jar manifest. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kpi-lake " + io.kpilake.ops.RunContext.currentAppVersion()};
    }
  }
}
