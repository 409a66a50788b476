package io.kpilake.publish;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Prints a query result as an aligned table, RFC 4180 CSV or JSON lines. */
public final class ResultFormatter {
  public enum Format { table, csv, json }

  private ResultFormatter() {}

  public static void print(Dataset<Row> df, Format format, int maxRows, PrintStream out) {
    String[] cols = df.columns();
    switch (format) {
      case json -> df.toJSON().takeAsList(maxRows).forEach(out::println);
      case csv -> {
        out.println(csvLine(List.of(cols)));
        for (Row r : df.takeAsList(maxRows)) {
          out.println(csvLine(cells(r)));
        }
      }
      case table -> table(cols, df.takeAsList(maxRows), out);
    }
    out.flush();
  }

  private static List<String> cells(Row r) {
    List<String> c = new ArrayList<>();
    for (int i = 0; i < r.length(); i++) {
      Object v = r.get(i);
      c.add(v == null ? null : v instanceof scala.collection.Iterable<?> || v instanceof Row ? v.toString() : String.valueOf(v));
    }
    return c;
  }

  static String csvLine(List<String> cells) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      String v = cells.get(i);
      if (v == null) {
        continue;
      }
      if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
        sb.append('"').append(v.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(v);
      }
    }
    return sb.toString();
  }

  private static void table(String[] cols, List<Row> rows, PrintStream out) {
    List<List<String>> cells = new ArrayList<>();
    int[] w = new int[cols.length];
    for (int i = 0; i < cols.length; i++) {
      w[i] = cols[i].length();
    }
    for (Row r : rows) {
      List<String> c = cells(r);
      List<String> shown = new ArrayList<>();
      for (int i = 0; i < c.size(); i++) {
        String v = c.get(i) == null ? "NULL" : c.get(i).replace("\n", "\\n");
        shown.add(v);
        w[i] = Math.max(w[i], v.length());
      }
      cells.add(shown);
    }
    StringBuilder sep = new StringBuilder("+");
    for (int x : w) {
      sep.append("-".repeat(x + 2)).append('+');
    }
    out.println(sep);
    out.println(row(List.of(cols), w));
    out.println(sep);
    for (List<String> c : cells) {
      out.println(row(c, w));
    }
    out.println(sep);
    out.println(rows.size() + (rows.size() == 1 ? " row" : " rows"));
  }

  private static String row(List<String> c, int[] w) {
    StringBuilder sb = new StringBuilder("|");
    for (int i = 0; i < c.size(); i++) {
      sb.append(' ').append(c.get(i)).append(" ".repeat(w[i] - c.get(i).length())).append(" |");
    }
    return sb.toString();
  }
}
