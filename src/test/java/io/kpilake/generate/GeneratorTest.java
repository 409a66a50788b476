package io.kpilake.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {
  @TempDir Path tmp;

  private Generator.Summary gen(Path out, long seed) {
    return Generator.generate(new Generator.Params(60, 4, seed, out, LocalDate.parse("2024-01-01"), 30, 0.01));
  }

  /** Relative path -> SHA-256 of the content, for every file. */
  private static Map<String, String> digest(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        try {
          out.put(root.relativize(p).toString(),
              HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }

  @Test
  void sameSeedSameFilesOtherSeedOtherFiles() throws IOException {
    Generator.Summary a = gen(tmp.resolve("a"), 7);
    gen(tmp.resolve("b"), 7);
    gen(tmp.resolve("c"), 8);
    assertEquals(digest(tmp.resolve("a")), digest(tmp.resolve("b")));
    assertNotEquals(digest(tmp.resolve("a")), digest(tmp.resolve("c")));
    assertEquals(LocalDate.parse("2024-04-30"), a.lastDay());
  }

  @Test
  void everyFeedIsDeliveredInDailyFoldersWithAMixOfFormats() throws IOException {
    Generator.Summary s = gen(tmp.resolve("a"), 1);
    for (String feed : new String[] {"crm/accounts", "crm/activities", "billing/subscriptions", "billing/invoice_lines",
        "payments/payment_events", "support/tickets", "usage/usage_daily", "fx/rates"}) {
      assertTrue(s.rows().getOrDefault(feed, 0L) > 0, feed);
      try (Stream<Path> days = Files.list(tmp.resolve("a").resolve(feed))) {
        assertTrue(days.allMatch(d -> d.getFileName().toString().matches("dt=\\d{4}-\\d{2}-\\d{2}")), feed);
      }
    }
    Map<String, Long> ext = new TreeMap<>();
    try (Stream<Path> files = Files.walk(tmp.resolve("a"))) {
      files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("_")).forEach(n -> ext.merge(n.substring(n.lastIndexOf('.') + 1), 1L, Long::sum));
    }
    assertEquals(java.util.Set.of("csv", "json", "jsonl", "parquet"), ext.keySet());
    // Usage covers only the last 30 days: 2024-04-01 .. 2024-04-30.
    try (Stream<Path> dirs = Files.list(tmp.resolve("a/usage/usage_daily"))) {
      assertEquals(30, dirs.count());
    }
    assertTrue(s.badRecords().getOrDefault("redelivered_file", 0L) == 1, s.badRecords().toString());
  }
}
