package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on loopback: a master and one worker in their own JVMs, with a
 * Spark home assembled from the Maven dependencies (no distribution download). The nightly job is
 * submitted with the shaded jar through {@code jobs/spark-submit-nightly.sh}, the wrapper every
 * scheduler in jobs/ calls, and its tables equal those of a local run.
 */
class StandaloneClusterIT {
  @TempDir Path tmp;
  private final List<KpiCli.Started> daemons = new ArrayList<>();

  @AfterEach
  void stopCluster() throws Exception {
    for (KpiCli.Started d : daemons) {
      d.kill();
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** {@code <home>/jars/}: links to every jar of the runtime classpath (Spark, Delta, hadoop-aws). */
  private Path sparkHome() throws Exception {
    Path jars = Files.createDirectories(tmp.resolve("spark-home/jars"));
    String cp = Files.readString(new File(KpiCli.HOME, "target/classpath.txt").toPath(), StandardCharsets.UTF_8).strip();
    for (String jar : cp.split(File.pathSeparator)) {
      Path p = Path.of(jar);
      Files.createSymbolicLink(jars.resolve(p.getFileName()), p);
    }
    return jars.getParent();
  }

  private static List<String> jvmFlags() throws Exception {
    Properties p = new Properties();
    try (var in = Files.newInputStream(new File(KpiCli.HOME, "conf/jvm.properties").toPath())) {
      p.load(in);
    }
    return List.of(p.getProperty("spark.jvm.flags").trim().split("\\s+"));
  }

  private KpiCli.Started daemon(KpiCli cli, Path home, Map<String, String> env, String mainClass, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-Xmx1g"));
    cmd.addAll(jvmFlags());
    // As for bin/kpi (KpiCli): the test processes run C1 only (pom.xml, kpi.test.child.jvm.flags).
    String child = System.getProperty("kpi.test.child.jvm.flags", "").strip();
    if (!child.isEmpty()) {
      cmd.addAll(List.of(child.split("\\s+")));
    }
    cmd.addAll(List.of("-cp", home.resolve("jars") + "/*", mainClass));
    cmd.addAll(List.of(args));
    KpiCli.Started d = cli.startCommand(tmp, env, cmd);
    daemons.add(d);
    return d;
  }

  @Test
  void nightlySubmittedToAStandaloneClusterPublishesTheSameTablesAsALocalRun() throws Exception {
    Reference ref = Reference.get();
    KpiCli cli = new KpiCli(tmp.resolve("logs"));
    Path home = sparkHome();
    Map<String, String> sparkEnv = Map.of("SPARK_HOME", home.toString(), "SPARK_SCALA_VERSION", "2.13");
    int port = freePort();
    String master = "spark://127.0.0.1:" + port;
    KpiCli.Started m = daemon(cli, home, sparkEnv, "org.apache.spark.deploy.master.Master",
        "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(freePort()));
    assertTrue(m.awaitErr("I have been elected leader", 120), m.err());
    KpiCli.Started w = daemon(cli, home, sparkEnv, "org.apache.spark.deploy.worker.Worker",
        "--host", "127.0.0.1", "--cores", "2", "--memory", "2g", "--webui-port", String.valueOf(freePort()),
        "--work-dir", tmp.resolve("work").toString(), master);
    assertTrue(m.awaitErr("Registering worker 127.0.0.1", 120), m.err() + "\n----\n" + w.err());

    Map<String, String> env = new java.util.HashMap<>(sparkEnv);
    // A fixture this small would run as small data (kpi.spark.small-data-bytes: interpreted, no
    // broadcast joins): here Spark compiles its generated code and broadcasts, on a real executor,
    // and must give the reference's rows all the same.
    Path conf = Files.writeString(tmp.resolve("compiled.conf"), "kpi.spark.small-data-bytes = 0\n");
    env.putAll(Map.of("KPI_SPARK_MASTER", master, "KPI_LANDING", ref.landing.toString(),
        "KPI_WAREHOUSE", tmp.resolve("wh").toString(), "KPI_SUBMIT_ARGS", "--executor-memory 1g", "KPI_CONF", conf.toString()));
    KpiCli.Run submitted = cli.startCommand(tmp, env, List.of(new File(KpiCli.HOME, "jobs/spark-submit-nightly.sh").getPath(),
        "--as-of", Reference.LAST_DAY)).await(15);
    assertEquals(0, submitted.code(), submitted.err());
    // The work ran on the cluster: the master registered the application and gave it an executor.
    assertTrue(m.err().contains("Registering app kpi-lake"), m.err());
    assertTrue(w.err().contains("Asked to launch executor"), w.err());

    // Read in this JVM: the cluster wrote the tables; that another process reads them is the
    // reference's and the S3 test's new-process read.
    assertEquals(ref.checksums, KpiCli.checksumsInProcess(Map.of("KPI_LANDING", ref.landing.toString(),
        "KPI_WAREHOUSE", tmp.resolve("wh").toString())));
  }
}
