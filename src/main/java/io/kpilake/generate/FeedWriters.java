package io.kpilake.generate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * The files of one delivery day: one writer per feed, opened on first use, all closed at the end
 * of the day. Memory stays constant whatever the size of the data set.
 */
final class FeedWriters implements AutoCloseable {
  static final MessageType USAGE_SCHEMA = MessageTypeParser.parseMessageType(
      "message usage_daily { required binary account_id (STRING); required int32 usage_date (DATE);"
          + " optional int32 active_users; optional int32 licensed_seats; }");

  private final Path root;
  private final LocalDate day;
  private final Map<String, BufferedWriter> text = new HashMap<>();
  private final Map<String, Long> counts;
  private ParquetWriter<Group> usage;
  private SimpleGroupFactory usageGroups;

  FeedWriters(Path root, LocalDate day, Map<String, Long> counts) {
    this.root = root;
    this.day = day;
    this.counts = counts;
  }

  Path fileFor(String feed, String ext) {
    return root.resolve(feed).resolve("dt=" + day).resolve("part-" + day + "." + ext);
  }

  /** Writes one CSV row (header written when the file is opened). */
  void csv(String feed, List<String> header, String line) {
    BufferedWriter w = text.computeIfAbsent(feed, f -> {
      BufferedWriter bw = open(fileFor(f, "csv"));
      write(bw, String.join(",", header) + "\n");
      return bw;
    });
    write(w, line + "\n");
    counts.merge(feed, 1L, Long::sum);
  }

  void json(String feed, String ext, String line) {
    BufferedWriter w = text.computeIfAbsent(feed, f -> open(fileFor(f, ext)));
    write(w, line + "\n");
    counts.merge(feed, 1L, Long::sum);
  }

  void usage(String accountId, LocalDate date, int activeUsers, int seats) {
    try {
      if (usage == null) {
        Path p = fileFor("usage/usage_daily", "parquet");
        Files.createDirectories(p.getParent());
        usage = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(p.toUri()))
            .withType(USAGE_SCHEMA).withConf(new Configuration()).build();
        usageGroups = new SimpleGroupFactory(USAGE_SCHEMA);
      }
      usage.write(usageGroups.newGroup().append("account_id", accountId).append("usage_date", (int) date.toEpochDay())
          .append("active_users", activeUsers).append("licensed_seats", seats));
      counts.merge("usage/usage_daily", 1L, Long::sum);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BufferedWriter open(Path p) {
    try {
      Files.createDirectories(p.getParent());
      return Files.newBufferedWriter(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(BufferedWriter w, String s) {
    try {
      w.write(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      for (BufferedWriter w : text.values()) {
        w.close();
      }
      if (usage != null) {
        usage.close();
        // Hadoop's local file system leaves .crc side files; landing areas do not have them.
        Path p = fileFor("usage/usage_daily", "parquet");
        Files.deleteIfExists(p.resolveSibling("." + p.getFileName() + ".crc"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
