import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark Connect client, run by ServeIT as its own JVM with the client jar: connects to the URL in
 * args[0], runs each further argument as SQL and prints its rows, tab-separated, under "-- sql".
 */
public class ConnectProbe {
  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().remote(args[0]).getOrCreate();
    try {
      for (int i = 1; i < args.length; i++) {
        System.out.println("-- " + args[i]);
        List<Row> rows = spark.sql(args[i]).collectAsList();
        for (Row r : rows) {
          StringBuilder b = new StringBuilder();
          for (int c = 0; c < r.length(); c++) {
            b.append(c == 0 ? "" : "\t").append(r.get(c));
          }
          System.out.println(b);
        }
      }
    } finally {
      spark.close();
    }
  }
}
