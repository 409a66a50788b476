package io.kpilake.cli;

import io.kpilake.config.KpiConfig;
import io.kpilake.publish.PublishedCatalog;
import io.kpilake.spark.Warehouse;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.connect.service.SparkConnectService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A Spark Connect endpoint over the warehouse catalog: remote clients (PySpark
 * {@code remote("sc://host:port")}, the Spark Connect JVM client, BI tools through it) run SQL on
 * {@code kpi.*}, {@code ops.*} and the other databases without a Spark of their own. The catalog
 * shows the latest complete publication and follows new ones (checked every
 * {@code --refresh-seconds}). No authentication of its own: loopback by default; see the README.
 */
@Command(name = "serve", description = "Serve the warehouse over Spark Connect (sc://host:port) for notebooks, BI tools and remote SQL.")
public final class ServeCommand implements java.util.concurrent.Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger("io.kpilake.progress");

  @Mixin CommonOptions common;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to bind (default ${DEFAULT-VALUE}, loopback only; 0.0.0.0 exposes it: put a TLS proxy with authentication in front)")
  String host;

  @Option(names = "--port", defaultValue = "15002", description = "Port (default ${DEFAULT-VALUE}, Spark Connect's usual port)")
  int port;

  @Option(names = "--refresh-seconds", defaultValue = "60",
      description = "How often the catalog checks for a new publication (default ${DEFAULT-VALUE}; 0 = never)")
  int refreshSeconds;

  PrintStream out = System.out;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 1 || port > 65535) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--port must be 1..65535, got " + port);
    }
    AppContext base = common.context(true);
    KpiConfig cfg = base.config;
    AppContext ctx = AppContext.of(cfg.withSparkConf(" (serve)",
        Map.of("spark.connect.grpc.binding.address", host, "spark.connect.grpc.binding.port", String.valueOf(port))));
    Warehouse wh = ctx.warehouse(); // registers every table of the latest publication and the roll-up views
    SparkConnectService.start(wh.spark().sparkContext());
    ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kpi-catalog-refresh");
      t.setDaemon(true);
      return t;
    });
    if (refreshSeconds > 0) {
      refresher.scheduleWithFixedDelay(() -> {
        try {
          PublishedCatalog.registerAll(wh); // re-points only what changed: a new publication's versions, new tables
        } catch (Exception e) {
          LOG.warn("catalog refresh failed (serving the previous publication): {}", e.getMessage());
        }
      }, refreshSeconds, refreshSeconds, TimeUnit.SECONDS);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      refresher.shutdownNow();
      SparkConnectService.stop(scala.Option.empty(), scala.Option.empty());
      stopped.countDown();
    }, "kpi-serve-stop"));
    out.println("Spark Connect server on sc://" + host + ":" + port + " over warehouse " + wh.root()
        + " (no authentication: keep it on loopback or behind an authenticating proxy). Ctrl-C stops it.");
    out.flush();
    stopped.await();
    return Main.OK;
  }
}
