package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Landing and warehouse on {@code s3a://} through hadoop-aws, against S3Proxy (a real S3 server,
 * its own JVM, on loopback, path-style): a full nightly run, then {@code bin/kpi sql} in a new
 * process reads the same tables as a local run. Credentials come from the AWS environment
 * variables only and never appear in the output. With the store down, the run retries within its
 * bound and fails clearly.
 */
class S3NightlyIT {
  private static final String ACCESS_KEY = "kpi-it-access";
  private static final String SECRET = "kpi-it-secret-" + UUID.randomUUID();
  @TempDir Path tmp;
  private KpiCli.Started s3proxy;

  @AfterEach
  void stopS3Proxy() throws Exception {
    if (s3proxy != null) {
      s3proxy.kill();
    }
  }

  private int startS3Proxy(KpiCli cli) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path data = tmp.resolve("s3data");
    Files.createDirectories(data.resolve("kpi")); // the bucket
    Path props = tmp.resolve("s3proxy.conf");
    Files.writeString(props, String.join("\n", "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4", "s3proxy.identity=" + ACCESS_KEY, "s3proxy.credential=" + SECRET,
        "jclouds.provider=filesystem", "jclouds.filesystem.basedir=" + data, ""));
    String jar = System.getProperty("s3proxy.jar");
    assertTrue(jar != null && Files.exists(Path.of(jar)), "S3Proxy jar (failsafe system property s3proxy.jar): " + jar);
    s3proxy = cli.startCommand(tmp, Map.of(), List.of("java", "-jar", jar, "--properties", props.toString()));
    for (int i = 0; i < 600; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return port;
      } catch (java.io.IOException notYet) {
        assertTrue(s3proxy.process().isAlive(), "S3Proxy exited: " + s3proxy.err());
        Thread.sleep(100);
      }
    }
    throw new AssertionError("S3Proxy did not listen on " + port + ": " + s3proxy.err());
  }

  /** S3A settings for an S3-compatible store, as in the README: no credentials in the file. */
  private Path s3Conf(int port, String extra) throws Exception {
    Path conf = tmp.resolve("s3-" + System.nanoTime() + ".conf");
    Files.writeString(conf, "kpi.spark.conf {\n"
        + "  \"spark.hadoop.fs.s3a.endpoint\" = \"http://127.0.0.1:" + port + "\"\n"
        + "  \"spark.hadoop.fs.s3a.endpoint.region\" = \"us-east-1\"\n"
        + "  \"spark.hadoop.fs.s3a.path.style.access\" = \"true\"\n"
        + "  \"spark.hadoop.fs.s3a.connection.ssl.enabled\" = \"false\"\n"
        + "}\n" + extra);
    return conf;
  }

  @Test
  void nightlyOnS3ThenSqlReadsTheSameTablesAsALocalRunWithoutLeakingTheSecret() throws Exception {
    Reference ref = Reference.get();
    KpiCli cli = new KpiCli(tmp.resolve("logs"));
    int port = startS3Proxy(cli);

    // Deliver the landing files to s3a://kpi/landing as an export job would, eight uploads at a
    // time (one after the other, the 499 small files took 20 s of this test).
    Configuration hadoop = new Configuration();
    hadoop.set("fs.s3a.endpoint", "http://127.0.0.1:" + port);
    hadoop.set("fs.s3a.endpoint.region", "us-east-1");
    hadoop.set("fs.s3a.path.style.access", "true");
    hadoop.set("fs.s3a.connection.ssl.enabled", "false");
    hadoop.set("fs.s3a.access.key", ACCESS_KEY);
    hadoop.set("fs.s3a.secret.key", SECRET);
    org.apache.hadoop.fs.Path landing = new org.apache.hadoop.fs.Path("s3a://kpi/landing");
    List<Path> files;
    try (java.util.stream.Stream<Path> walk = Files.walk(ref.landing)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    java.util.concurrent.ExecutorService uploads = java.util.concurrent.Executors.newFixedThreadPool(8);
    try (FileSystem s3 = FileSystem.newInstance(landing.toUri(), hadoop)) {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (Path f : files) {
        done.add(uploads.submit(() -> {
          s3.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(f.toUri()),
              new org.apache.hadoop.fs.Path(landing, ref.landing.relativize(f).toString()));
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> d : done) {
        d.get();
      }
    } finally {
      uploads.shutdown();
    }

    Map<String, String> env = Map.of("KPI_LANDING", "s3a://kpi/landing", "KPI_WAREHOUSE", "s3a://kpi/warehouse",
        "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET);
    Path conf = s3Conf(port, "");
    List<String> output = new ArrayList<>();
    KpiCli.Run nightly = cli.run(tmp, env, "nightly", "--as-of", Reference.LAST_DAY, "--conf", conf.toString(), "--verbose");
    output.add(nightly.out() + nightly.err());
    assertEquals(0, nightly.code(), nightly.err());
    assertTrue(nightly.out().contains("s3a://kpi/warehouse"), nightly.out() + nightly.err());

    // One new process reads both: the checksums of every kpi table (the same as the local
    // reference) and, as one more row sorted last, how many s3a:// landing files the ledger holds
    // (a second bin/kpi sql process for it cost 15-20 s).
    String checksums = KpiCli.checksumQuery();
    String withLedger = "SELECT * FROM (" + checksums.substring(0, checksums.lastIndexOf(" ORDER BY tbl"))
        + " UNION ALL SELECT '~landing files in the ledger' AS tbl, count(*) AS n, 0 AS checksum FROM ops.ingested_files"
        + " WHERE path LIKE 's3a://kpi/landing/%') ORDER BY tbl";
    KpiCli.Run read = cli.run(tmp, env, "sql", withLedger, "--conf", conf.toString(), "--format", "csv");
    output.add(read.out() + read.err());
    assertEquals(0, read.code(), read.err());
    List<String> lines = read.out().strip().lines().toList();
    assertEquals(ref.checksums.size() + 1, lines.size(), read.out());
    assertEquals(ref.checksums, lines.subList(0, ref.checksums.size()));
    assertEquals("~landing files in the ledger," + files.size() + ",0", lines.get(ref.checksums.size()),
        "every landing file is in the ledger");
    assertTrue(Files.isDirectory(tmp.resolve("s3data/kpi/warehouse/kpi/account_mrr_monthly/_delta_log")),
        "the tables are objects in the bucket");

    // The store goes away: each step is tried twice (2 s apart), then the run fails clearly, exit 1.
    s3proxy.kill();
    s3proxy = null;
    Path down = s3Conf(port, "kpi.ops.retry { attempts = 2, backoff-seconds = 1 }\n"
        + "kpi.spark.conf { \"spark.hadoop.fs.s3a.retry.limit\" = \"1\", \"spark.hadoop.fs.s3a.attempts.maximum\" = \"1\" }\n");
    KpiCli.Run failed = cli.run(tmp, env, "nightly", "--as-of", Reference.LAST_DAY, "--conf", down.toString());
    output.add(failed.out() + failed.err());
    assertEquals(1, failed.code(), failed.err());
    // The first storage step of a nightly reads the published as-of date (a nightly before it is refused).
    assertTrue(failed.err().startsWith("kpi: storage error: reading the published as-of date failed 2 time(s), giving up: "
        + "ConnectException: Connection refused"), failed.err());
    assertTrue(failed.out().contains("transient storage error (attempt 1 of 2), retrying"), failed.out());

    for (String o : output) {
      assertFalse(o.contains(SECRET), "the secret key appears in the output:\n" + o);
    }
  }
}
