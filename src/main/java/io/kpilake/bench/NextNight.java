package io.kpilake.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Late corrections for the bench's incremental night: for {@code share} of the accounts, one
 * recurring invoice line of the previous month re-delivered on {@code day} with its amount x 1.1 and
 * {@code updated_at} that morning (a billing system correcting last month), in
 * {@code billing/invoice_lines/dt=<day>/late-corrections.csv}.
 */
final class NextNight {
  private NextNight() {}

  static int writeLateCorrections(Path landing, LocalDate day, int accounts, double share, long seed) throws IOException {
    LocalDate month = day.withDayOfMonth(1).minusMonths(1);
    Path lines = landing.resolve("billing/invoice_lines");
    List<String[]> picked = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String header = null;
    List<Path> files;
    try (Stream<Path> s = Files.list(lines)) {
      files = s.filter(p -> p.getFileName().toString().startsWith("dt=" + month.toString().substring(0, 7))).sorted()
          .flatMap(NextNight::csvFiles).toList();
    }
    for (Path f : files) {
      try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        String h = r.readLine();
        header = header == null ? h : header;
        List<String> cols = List.of(h.split(","));
        int account = cols.indexOf("account_id");
        int type = cols.indexOf("line_type");
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          String[] v = line.split(",", -1);
          if (v.length == cols.size() && "recurring".equals(v[type]) && seen.add(v[account])) {
            picked.add(v);
          }
        }
      }
    }
    if (header == null) {
      throw new IOException("no invoice lines of " + month + " under " + lines);
    }
    java.util.Collections.shuffle(picked, new Random(seed));
    int n = Math.min(picked.size(), Math.max(1, (int) Math.round(accounts * share)));
    List<String> cols = List.of(header.split(","));
    int amount = cols.indexOf("amount");
    int updated = cols.indexOf("updated_at");
    Path out = lines.resolve("dt=" + day).resolve("late-corrections.csv");
    Files.createDirectories(out.getParent());
    try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      w.write(header + "\n");
      for (String[] v : picked.subList(0, n)) {
        v[amount] = String.format(Locale.ROOT, "%.2f", new java.math.BigDecimal(v[amount]).doubleValue() * 1.1);
        v[updated] = day + "T06:00:00Z";
        w.write(String.join(",", v) + "\n");
      }
    }
    return n;
  }

  private static Stream<Path> csvFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".csv") && !p.getFileName().toString().startsWith("late-")).sorted().toList().stream();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
