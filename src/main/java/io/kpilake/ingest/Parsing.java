package io.kpilake.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import io.kpilake.contract.FeedSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Reads landing files into one "parsed" Dataset: a row per record with its file, row number, raw
 * text, fields (contract names, strings) and row error, plus one row (row_number 0) per file that
 * is refused whole. CSV and JSON are parsed on executors by {@link RecordParser}; Parquet goes
 * through Spark's own reader (row numbers from {@code _metadata.row_index}), after its footer and
 * columns are checked.
 */
public final class Parsing {
  public static final StructType PARSED_SCHEMA = new StructType(new StructField[] {
      DataTypes.createStructField("source_file", DataTypes.StringType, false),
      DataTypes.createStructField("row_number", DataTypes.LongType, false),
      DataTypes.createStructField("raw_record", DataTypes.StringType, true),
      DataTypes.createStructField("record", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, true), false),
      DataTypes.createStructField("row_error", DataTypes.StringType, true),
      DataTypes.createStructField("file_error", DataTypes.StringType, true)});

  private Parsing() {}

  /**
   * The parsed column that holds a contract column's text as delivered (null when the record has no
   * such field). The typing reads these instead of looking each field up in {@code record}: a map
   * lookup scans the map's keys, one string made per key compared (tier M tickets: the parsing stage
   * 8% less task time without them, docs/design.md). {@code record} stays, for bronze.
   */
  public static String fieldColumn(String contractName) {
    return "_field_" + contractName;
  }

  /** {@link #PARSED_SCHEMA} and one nullable string column per contract column ({@link #fieldColumn}). */
  public static StructType parsedSchema(FeedSpec feed) {
    StructType s = PARSED_SCHEMA;
    for (String c : feed.columnNames()) {
      s = s.add(fieldColumn(c), DataTypes.StringType, true);
    }
    return s;
  }

  /**
   * Parses landing files into {@link #parsedSchema}; text files are packed into parse tasks of
   * about {@code taskBytes} landing bytes ({@code kpi.ingest.task-bytes}).
   */
  public static Dataset<Row> parse(SparkSession spark, FeedSpec feed, List<LandingFile> files,
      Map<String, String> renames, int maxCharsPerCell, int minPartitions, long taskBytes) {
    List<LandingFile> text = new ArrayList<>();
    List<String> parquet = new ArrayList<>();
    List<Row> refused = new ArrayList<>();
    for (LandingFile f : files) {
      switch (f.format()) {
        case "csv", "json" -> text.add(f);
        case "parquet" -> parquet.add(f.path());
        default -> refused.add(refusal(feed, f.path(), "unsupported file extension (expected .csv, .json, .jsonl or .parquet)"));
      }
    }
    StructType schema = parsedSchema(feed);
    Dataset<Row> out = spark.createDataFrame(new ArrayList<>(), schema);
    if (!text.isEmpty()) {
      out = out.unionByName(parseText(spark, feed, text, renames, maxCharsPerCell, minPartitions, taskBytes));
    }
    if (!parquet.isEmpty()) {
      RecordParser checker = new RecordParser(feed, renames, maxCharsPerCell);
      List<String> good = new ArrayList<>();
      Set<String> allColumns = new HashSet<>();
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      for (String p : parquet) {
        String problem = checkParquet(p, conf, checker, renames, allColumns);
        if (problem == null) {
          good.add(p);
        } else {
          refused.add(refusal(feed, p, problem));
        }
      }
      if (!good.isEmpty()) {
        out = out.unionByName(parseParquet(spark, feed, good, renames));
      }
    }
    if (!refused.isEmpty()) {
      out = out.unionByName(spark.createDataFrame(refused, schema));
    }
    return out;
  }

  private static Row refusal(FeedSpec feed, String path, String message) {
    Object[] values = new Object[PARSED_SCHEMA.size() + feed.columnNames().size()];
    values[0] = path;
    values[1] = 0L;
    values[3] = scalaMap(Map.of());
    values[5] = message;
    return RowFactory.create(values);
  }

  /**
   * Text files, streamed on executors straight from the paths the landing scan found: no listing
   * job of Spark's own (a file source lists its paths again, in a job of one task per path when
   * there are more than 32 of them: ~3 s per feed on a first load), and no file held in memory
   * whole. Files are packed into tasks in order, about {@code taskBytes} each and at least
   * {@code minPartitions} (when there are that many files); a file bigger than that is a task of its own.
   */
  private static Dataset<Row> parseText(SparkSession spark, FeedSpec feed, List<LandingFile> files,
      Map<String, String> renames, int maxCharsPerCell, int minPartitions, long taskBytes) {
    RecordParser parser = new RecordParser(feed, renames, maxCharsPerCell);
    List<List<String>> tasks = packIntoTasks(files, minPartitions, taskBytes);
    Broadcast<SerializableConfiguration> conf = SerializableConfiguration.broadcast(spark.sparkContext(),
        spark.sparkContext().hadoopConfiguration());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<String> columns = List.copyOf(feed.columnNames());
    JavaRDD<Row> rows = jsc.parallelize(tasks, tasks.size())
        .flatMap(paths -> fileByFile(paths, p -> rowsOf(parser, columns, p, open(p, conf.value().value()))));
    return spark.createDataFrame(rows, parsedSchema(feed));
  }

  /**
   * Files in order, cut into consecutive groups of about equal bytes: {@code max(minPartitions,
   * ceil(total / taskBytes))} groups, never more than the files (every group has at least one).
   */
  static List<List<String>> packIntoTasks(List<LandingFile> files, int minPartitions, long taskBytes) {
    long total = files.stream().mapToLong(f -> Math.max(1, f.size())).sum();
    long perTask = Math.max(1, taskBytes);
    long byBytes = total / perTask + (total % perTask == 0 ? 0 : 1);
    int groups = (int) Math.min(files.size(), Math.max(minPartitions, byBytes));
    List<List<String>> out = new ArrayList<>();
    List<String> current = new ArrayList<>();
    long done = 0;
    for (int i = 0; i < files.size(); i++) {
      int groupsAfterCurrent = groups - out.size() - 1;
      // Close the group once it holds its share of the bytes, or when each group still to come needs one of the files left.
      if (!current.isEmpty() && groupsAfterCurrent > 0
          && (done * groups >= total * (out.size() + 1) || files.size() - i == groupsAfterCurrent)) {
        out.add(current);
        current = new ArrayList<>();
      }
      current.add(files.get(i).path());
      done += Math.max(1, files.get(i).size());
    }
    out.add(current);
    return out;
  }

  private static InputStream open(String path, Configuration conf) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(conf).open(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open landing file " + path, e);
    }
  }

  /** The rows of each path in turn, opening a file only when the previous one is done (pull-based). */
  private static Iterator<Row> fileByFile(List<String> paths, java.util.function.Function<String, Iterator<Row>> rows) {
    return new Iterator<>() {
      private int next;
      private Iterator<Row> current = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && next < paths.size()) {
          current = rows.apply(paths.get(next++));
        }
        return current.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  private static Iterator<Row> rowsOf(RecordParser parser, List<String> contractColumns, String path, InputStream in) {
    String format = new LandingFile(path, "", "", null, 0, 0).format();
    Iterator<RecordParser.Parsed> records = parser.open(format, in);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        boolean more = records.hasNext();
        if (!more) {
          try {
            in.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return more;
      }

      @Override
      public Row next() {
        RecordParser.Parsed p = records.next();
        Object[] values = new Object[PARSED_SCHEMA.size() + contractColumns.size()];
        values[0] = path;
        values[1] = p.rowNumber();
        values[2] = p.rawRecord();
        values[3] = scalaMap(p.fields());
        values[4] = p.rowError();
        values[5] = p.fileError();
        for (int i = 0; i < contractColumns.size(); i++) {
          values[PARSED_SCHEMA.size() + i] = p.fields().get(contractColumns.get(i));
        }
        return RowFactory.create(values);
      }
    };
  }

  private static scala.collection.Map<String, String> scalaMap(Map<String, String> m) {
    return scala.jdk.javaapi.CollectionConverters.asScala(m);
  }

  /** Footer readable and required columns present; null when fine, else why the file is refused. */
  private static String checkParquet(String path, Configuration conf, RecordParser checker,
      Map<String, String> renames, Set<String> allColumns) {
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(path), conf))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      Set<String> names = new HashSet<>();
      Map<String, String> exportToContract = new HashMap<>();
      renames.forEach((c, e) -> exportToContract.put(e, c));
      for (Type t : schema.getFields()) {
        names.add(exportToContract.getOrDefault(t.getName(), t.getName()));
        allColumns.add(t.getName());
      }
      return checker.missingRequired(names);
    } catch (IOException | RuntimeException e) {
      return "cannot read Parquet file (truncated or corrupt?): " + RecordParser.firstLine(String.valueOf(e.getMessage()));
    }
  }

  private static Dataset<Row> parseParquet(SparkSession spark, FeedSpec feed, List<String> paths, Map<String, String> renames) {
    Dataset<Row> df = spark.read().option("mergeSchema", "true").parquet(paths.toArray(String[]::new));
    Map<String, String> exportToContract = new HashMap<>();
    renames.forEach((c, e) -> exportToContract.put(e, c));
    List<Column> names = new ArrayList<>();
    List<Column> values = new ArrayList<>();
    List<Column> all = new ArrayList<>();
    Map<String, Column> fields = new HashMap<>();
    for (String c : df.columns()) {
      String contract = exportToContract.getOrDefault(c, c);
      Column text = col("`" + c + "`").cast("string");
      names.add(lit(contract));
      values.add(text);
      all.add(col("`" + c + "`"));
      fields.putIfAbsent(contract, text);
    }
    List<Column> out = new ArrayList<>(List.of(
        col("_metadata.file_path").as("source_file"),
        col("_metadata.row_index").plus(1).cast("long").as("row_number"),
        to_json(struct(all.toArray(Column[]::new))).as("raw_record"),
        map_from_arrays(array(names.toArray(Column[]::new)), array(values.toArray(Column[]::new))).as("record"),
        lit(null).cast("string").as("row_error"),
        lit(null).cast("string").as("file_error")));
    for (String c : feed.columnNames()) {
      out.add(fields.getOrDefault(c, lit(null).cast("string")).as(fieldColumn(c)));
    }
    return df.select(out.toArray(Column[]::new));
  }
}
