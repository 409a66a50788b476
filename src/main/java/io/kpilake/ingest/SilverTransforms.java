package io.kpilake.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.translate;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import io.kpilake.contract.ColumnType;
import io.kpilake.contract.FeedSpec;
import io.kpilake.contract.FeedSpec.Column;
import io.kpilake.spark.Transform;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * The bronze-to-silver transformations, each a pure {@link Transform}: type and validate, hash
 * the content, rank duplicates, and order versions into a history.
 */
public final class SilverTransforms {
  private SilverTransforms() {}

  /** Columns every silver table carries besides the contract's. */
  public static final List<String> LINEAGE = List.of(
      "_source_file", "_file_order", "_row_number", "_run_id", "_ingested_at", "_hash", "_valid_from", "_valid_to", "_is_current");

  /**
   * The cleaned text of a field: trimmed, empty means null. From its own column when the parser
   * gave one ({@link Parsing#fieldColumn}, {@code extracted}), else looked up in the {@code record} map.
   */
  private static org.apache.spark.sql.Column text(String name, boolean extracted) {
    return nullif(trim(extracted ? col(Parsing.fieldColumn(name)) : col("record").getItem(name)), lit(""));
  }

  /**
   * The column holding {@link #text} of a contract field while {@link #typeAndValidate} runs. Each
   * field is looked up in the record's map once per row: a map lookup scans the map's keys, and
   * the typing, the required check and the reason each used the field (measured at tier S: most of
   * the typing tasks' time went to those scans).
   */
  private static org.apache.spark.sql.Column raw(String name) {
    return col("_text_" + name);
  }

  private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";

  /**
   * Spark's {@code lower}, with ASCII text (every value the contract allows) mapped by
   * {@code translate}: Spark's ICU case mapping builds a table of every code point on first use,
   * several seconds of one task per process (2.7 s on the 40-account night), before any row of the
   * night is typed. Text with other characters still goes through {@code lower}: the same results.
   */
  static org.apache.spark.sql.Column lowerCase(org.apache.spark.sql.Column s) {
    return when(length(s).equalTo(octet_length(s)), translate(s, UPPER, LOWER)).otherwise(lower(s));
  }

  /** Spark's {@code upper}, ASCII text mapped without ICU, as {@link #lowerCase}. */
  static org.apache.spark.sql.Column upperCase(org.apache.spark.sql.Column s) {
    return when(length(s).equalTo(octet_length(s)), translate(s, LOWER, UPPER)).otherwise(upper(s));
  }

  /**
   * Adds one typed column per contract column and {@code reason}: null when the record is valid,
   * else every rule it breaks (required values, types, enumerations, feed rules), "; "-separated.
   * The fields' text comes from the parser's field columns ({@link Parsing#parsedSchema}), which are
   * dropped, or, for input without them, from the {@code record} map.
   */
  public static Transform typeAndValidate(FeedSpec feed) {
    return in -> {
      java.util.Set<String> present = new java.util.HashSet<>(java.util.Arrays.asList(in.columns()));
      List<org.apache.spark.sql.Column> texts = new ArrayList<>(List.of(col("*")));
      List<String> drop = new ArrayList<>();
      for (Column c : feed.columns()) {
        boolean extracted = present.contains(Parsing.fieldColumn(c.name()));
        texts.add(text(c.name(), extracted).as("_text_" + c.name()));
        drop.add("_text_" + c.name());
        if (extracted) {
          drop.add(Parsing.fieldColumn(c.name()));
        }
      }
      Dataset<Row> out = in.select(texts.toArray(org.apache.spark.sql.Column[]::new));
      List<org.apache.spark.sql.Column> reasons = new ArrayList<>();
      reasons.add(col("row_error"));
      for (Column c : feed.columns()) {
        org.apache.spark.sql.Column raw = raw(c.name());
        org.apache.spark.sql.Column typed = typed(c, raw);
        out = out.withColumn(c.name(), typed);
        if (c.required()) {
          reasons.add(when(raw.isNull(), lit(c.name() + ": required value missing")));
        }
        String expected = c.isEnum() ? "one of " + String.join(", ", new java.util.TreeSet<>(c.allowed())) : c.type().description;
        org.apache.spark.sql.Column untyped = concat(lit(c.name() + ": not " + expected + ": '"), raw, lit("'"));
        if (c.type() == ColumnType.DECIMAL) {
          // A number with non-zero digits past the cents does not fit DECIMAL(18,2): say so.
          org.apache.spark.sql.Column wide = raw.try_cast("decimal(38,18)");
          untyped = when(wide.isNotNull().and(wide.notEqual(org.apache.spark.sql.functions.round(wide, 2))),
              concat(lit(c.name() + ": more than 2 decimal places: '"), raw, lit("'"))).otherwise(untyped);
        }
        reasons.add(when(raw.isNotNull().and(col(c.name()).isNull()), untyped));
      }
      reasons.addAll(feedRules(feed));
      org.apache.spark.sql.Column all = concat_ws("; ", reasons.toArray(org.apache.spark.sql.Column[]::new));
      // A row the parser could not split into fields has no typed values: report only that.
      return out.withColumn("reason", when(col("row_error").isNotNull(), col("row_error"))
          .otherwise(nullif(all, lit("")))).drop(drop.toArray(String[]::new));
    };
  }

  private static org.apache.spark.sql.Column typed(Column c, org.apache.spark.sql.Column raw) {
    if (c.isEnum()) {
      org.apache.spark.sql.Column v = lowerCase(raw);
      return when(v.isin(c.allowed().toArray()), v);
    }
    return switch (c.type()) {
      case STRING -> normalizeString(c.name(), raw);
      case TIMESTAMP -> raw.try_cast("timestamp");
      case DATE -> when(raw.rlike("^\\d{4}-\\d{2}-\\d{2}$"), raw.try_cast("date"));
      // A cast to DECIMAL(18,2) rounds 12.345 to 12.35: only a value the cast keeps exactly is typed.
      case DECIMAL -> when(raw.try_cast("decimal(38,18)").equalTo(raw.try_cast("decimal(18,2)")), raw.try_cast("decimal(18,2)"));
      case RATE -> raw.try_cast("decimal(18,8)");
      case INT -> raw.try_cast("int");
      case BOOLEAN -> raw.try_cast("boolean");
    };
  }

  /** Column-specific normalization of the contract (feeds.md). */
  private static org.apache.spark.sql.Column normalizeString(String name, org.apache.spark.sql.Column raw) {
    return switch (name) {
      case "segment" -> coalesce(
          nullif(regexp_replace(regexp_replace(lowerCase(raw), "[^a-z0-9]+", "_"), "^_+|_+$", ""), lit("")), lit("unknown"));
      case "owner" -> coalesce(raw, lit("unassigned"));
      case "currency" -> upperCase(raw);
      default -> raw;
    };
  }

  private static List<org.apache.spark.sql.Column> feedRules(FeedSpec feed) {
    List<org.apache.spark.sql.Column> rules = new ArrayList<>();
    if (feed.hasColumn("currency")) {
      rules.add(when(col("currency").isNotNull().and(col("currency").rlike("^[A-Z]{3}$").unary_$bang()),
          concat(lit("currency: not an ISO 4217 code: '"), col("currency"), lit("'"))));
    }
    switch (feed.entity()) {
      case "invoice_lines" -> {
        org.apache.spark.sql.Column recurring = col("line_type").equalTo("recurring");
        rules.add(when(recurring.and(raw("period_start").isNull()), lit("period_start: required for recurring lines")));
        rules.add(when(recurring.and(raw("period_end").isNull()), lit("period_end: required for recurring lines")));
        rules.add(when(col("period_start").isNotNull().and(col("period_end").isNotNull())
            .and(col("period_end").leq(col("period_start"))), lit("period_end: must be after period_start")));
      }
      case "payment_events" -> {
        rules.add(when(col("amount").leq(0), lit("amount: must be positive")));
        rules.add(when(col("attempt_number").lt(1), lit("attempt_number: must be 1 or more")));
      }
      case "tickets" -> rules.add(when(col("csat_score").lt(1).or(col("csat_score").gt(5)), lit("csat_score: must be 1..5")));
      case "usage_daily" -> rules.add(when(col("active_users").lt(0).or(col("licensed_seats").lt(0)),
          lit("active_users/licensed_seats: must not be negative")));
      case "rates" -> rules.add(when(col("rate_to_reporting").leq(0), lit("rate_to_reporting: must be positive")));
      default -> { }
    }
    return rules;
  }

  /** {@code _hash}: SHA-256 of the typed contract columns; same key and hash = the same record. */
  public static Transform contentHash(FeedSpec feed) {
    return in -> {
      List<org.apache.spark.sql.Column> parts = new ArrayList<>();
      for (String c : feed.columnNames()) {
        parts.add(coalesce(col(c).cast("string"), lit("\u0000")));
      }
      return in.withColumn("_hash", sha2(concat_ws("\u0001", parts.toArray(org.apache.spark.sql.Column[]::new)), 256));
    };
  }

  private static org.apache.spark.sql.Column[] keyCols(FeedSpec feed) {
    return feed.key().stream().map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new);
  }

  /** Every outcome a typed row can have, as {@code _outcome} spells it. */
  public static final String ACCEPTED = "accepted";
  public static final String DUPLICATE = "duplicate";
  public static final String QUARANTINED = "quarantined";

  /**
   * Typed rows (with {@code reason}, {@code _file_order}, {@code _row_number}) -> the same rows with
   * {@code _hash} and {@code _outcome}: {@code quarantined} (a reason), {@code duplicate} (a valid
   * row whose key and content came earlier in the batch, by file order then row, or are in
   * {@code known}), else {@code accepted}. {@code known} holds the (key, {@code _hash}) pairs silver
   * already has, or is empty (a first load). One pass: the duplicate ranking is the only shuffle,
   * and invalid rows are ranked apart, so they never make a valid row a duplicate.
   */
  public static Transform classify(FeedSpec feed, java.util.Optional<Dataset<Row>> known) {
    return in -> {
      List<String> keyAndHash = new ArrayList<>(feed.key());
      keyAndHash.add("_hash");
      List<org.apache.spark.sql.Column> part = new ArrayList<>(List.of(keyCols(feed)));
      part.add(col("_hash"));
      part.add(col("reason").isNull());
      WindowSpec w = Window.partitionBy(part.toArray(org.apache.spark.sql.Column[]::new))
          .orderBy(col("_file_order"), col("_row_number"));
      Dataset<Row> ranked = contentHash(feed).apply(in).withColumn("_dup_rank", row_number().over(w));
      org.apache.spark.sql.Column repeat = col("_dup_rank").gt(1);
      if (known.isPresent()) {
        ranked = ranked.join(known.get().select(keyAndHash.stream().map(org.apache.spark.sql.functions::col)
            .toArray(org.apache.spark.sql.Column[]::new)).withColumn("_known", lit(true)), io.kpilake.spark.Cols.seq(keyAndHash), "left");
        repeat = repeat.or(col("_known").isNotNull());
      }
      Dataset<Row> out = ranked.withColumn("_outcome", when(col("reason").isNotNull(), lit(QUARANTINED))
          .when(repeat, lit(DUPLICATE)).otherwise(lit(ACCEPTED)))
          .drop("_dup_rank");
      return known.isPresent() ? out.drop("_known") : out;
    };
  }

  /**
   * Orders the versions of each key (updated_at, then later file, then later row) and sets
   * {@code _valid_from} (its updated_at), {@code _valid_to} (the next version's updated_at) and
   * {@code _is_current} (the last version).
   */
  public static Transform orderVersions(FeedSpec feed) {
    return in -> {
      org.apache.spark.sql.Column updated = feed.hasUpdatedAt() ? col("updated_at") : lit(null).cast("timestamp");
      WindowSpec w = Window.partitionBy(keyCols(feed))
          .orderBy(updated.asc_nulls_first(), col("_file_order").asc(), col("_row_number").asc());
      return in.withColumn("_valid_from", updated)
          .withColumn("_valid_to", lead(updated, 1).over(w))
          .withColumn("_is_current", lead(lit(1), 1).over(w).isNull());
    };
  }
}
