package io.kpilake.cli;

import io.kpilake.publish.ResultFormatter;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sql", description = "Run Spark SQL against the warehouse: kpi.<name>, ops.<name>, silver.<name>, bronze.<name>.")
public final class SqlCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "QUERY", description = "The SQL statement")
  String query;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or json (one object per line); default ${DEFAULT-VALUE}")
  ResultFormatter.Format format;

  @Option(names = "--max-rows", defaultValue = "10000", description = "At most this many rows are printed (default ${DEFAULT-VALUE})")
  int maxRows;

  PrintStream out = System.out;

  @Override
  public Integer call() {
    AppContext ctx = common.context(false);
    Dataset<Row> result = ctx.warehouseFor(query).spark().sql(query);
    ResultFormatter.print(result, format, maxRows, out);
    return Main.OK;
  }
}
