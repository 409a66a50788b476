package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/kpi serve} on loopback, queried by the Spark Connect JVM client in a JVM of its own
 * (the client jar and its dependencies, no Spark SQL engine): the published tables it sees have the
 * reference run's checksums, the roll-up views work, and the port is not reachable on the machine's
 * other addresses.
 */
class ServeIT {
  @Test
  void remoteClientsQueryThePublishedTablesOverSparkConnect() throws Exception {
    Reference ref = Reference.get();
    KpiCli cli = new KpiCli(ref.root.resolve("logs-serve"));
    int port = freePort();
    Map<String, String> env = Map.of("KPI_LANDING", ref.landing.toString(), "KPI_WAREHOUSE", ref.root.resolve("wh").toString());
    KpiCli.Started server = cli.start(ref.root, env, "serve", "--port", String.valueOf(port));
    try {
      assertTrue(server.awaitOut("Spark Connect server on sc://127.0.0.1:" + port, 180), server.err());

      List<String> cmd = new ArrayList<>(List.of(javaBin(), "-cp", clientClasspath(),
          "--add-opens=java.base/java.nio=ALL-UNNAMED", resource("connect/ConnectProbe.java"), "sc://127.0.0.1:" + port,
          KpiCli.checksumQuery(),
          "SELECT segment, round(nrr, 6) FROM kpi.retention_rollup WHERE window_months = 1 AND cohort_month IS NULL "
              + "AND month = date'2024-03-01' AND segment = 'all'",
          "SELECT count(*) FROM kpi.kpi_catalog"));
      KpiCli.Run client = cli.startCommand(ref.root, Map.of(), cmd).await(5);
      assertEquals(0, client.code(), client.err());
      List<String> lines = client.out().lines().toList();
      // The checksum query's rows, in the reference's CSV form (header first).
      List<String> checksums = new ArrayList<>(List.of(ref.checksums.get(0)));
      int at = lines.indexOf("-- " + KpiCli.checksumQuery());
      for (String l : lines.subList(at + 1, lines.size())) {
        if (l.startsWith("-- ")) {
          break;
        }
        checksums.add(l.replace('\t', ','));
      }
      assertEquals(ref.checksums, checksums);
      assertTrue(client.out().contains("\nall\t"), "the roll-up view answers: " + client.out());
      String catalogCount = lines.get(lines.indexOf("-- SELECT count(*) FROM kpi.kpi_catalog") + 1);
      assertTrue(Integer.parseInt(catalogCount) > 50, catalogCount);

      // Bound to loopback only: the same port on the machine's other addresses refuses connections.
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
            try (Socket s = new Socket()) {
              s.connect(new InetSocketAddress(a, port), 2000);
              throw new AssertionError("serve answered on " + a.getHostAddress() + ":" + port);
            } catch (java.io.IOException expected) {
              // refused: good
            }
          }
        }
      }
    } finally {
      server.process().destroy(); // SIGTERM: the shutdown hook stops the server
      assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), "serve stops on SIGTERM");
    }
    assertFalse(server.process().isAlive());
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String clientClasspath() throws java.io.IOException {
    String file = System.getProperty("connect.client.classpath");
    assertTrue(file != null && new File(file).exists(), "run through Maven (pre-integration-test writes " + file + ")");
    // The client jar first: it carries its own (shaded) copies of Spark SQL API classes that the
    // other jars on the list also hold in their unshaded form.
    List<String> entries = new ArrayList<>(List.of(Files.readString(Path.of(file)).strip().split(File.pathSeparator)));
    entries.sort(java.util.Comparator.comparing(e -> !e.contains("spark-connect-client-jvm")));
    return String.join(File.pathSeparator, entries);
  }

  private static String resource(String name) throws Exception {
    return Path.of(ServeIT.class.getClassLoader().getResource(name).toURI()).toString();
  }
}
