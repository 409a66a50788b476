package io.kpilake.publish;

import io.kpilake.spark.Warehouse;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a reader of the session catalog sees: every table of the warehouse as
 * {@code <database>.<table>}, {@code kpi.*} pinned to the versions of the latest complete
 * publication ({@link Publisher#latestPublication}), and the roll-up views ({@link Views}). The
 * warehouse registers tables ({@link Warehouse#registerTables}); which versions and views a reader
 * gets is the publisher's to say, so the storage layer does not reach up into this one.
 */
public final class PublishedCatalog {
  private PublishedCatalog() {}

  /** Registers every Delta table under the warehouse root and creates the roll-up views. */
  public static List<String> registerAll(Warehouse wh) {
    return register(wh, name -> true);
  }

  /**
   * Registers only the tables a SQL statement can refer to: every {@code <database>.<table>} it
   * names (a roll-up view brings its table), and every table of a database it names alone (as in
   * {@code SHOW TABLES IN kpi}). Start-up then costs a snapshot load per table used, not per table.
   */
  public static List<String> registerFor(Warehouse wh, String sql) {
    Set<String> names = new HashSet<>();
    Set<String> wholeDatabases = new HashSet<>();
    Matcher m = Pattern.compile("(?i)\\b(bronze|silver|kpi|ops)\\b(?:`)?(?:\\s*\\.\\s*`?(\\w+))?").matcher(sql);
    while (m.find()) {
      String db = m.group(1).toLowerCase(Locale.ROOT);
      if (m.group(2) == null) {
        wholeDatabases.add(db);
      } else {
        names.add(db + "." + m.group(2).toLowerCase(Locale.ROOT));
      }
    }
    // A roll-up view brings the table it is defined on.
    for (String name : List.copyOf(names)) {
      if (Views.tableOf(name) != null) {
        names.add(Views.tableOf(name));
      }
    }
    return register(wh, name -> names.contains(name) || wholeDatabases.contains(name.substring(0, name.indexOf('.'))));
  }

  private static List<String> register(Warehouse wh, java.util.function.Predicate<String> wanted) {
    List<String> registered = wh.registerTables(wanted, () -> Publisher.latestPublication(wh));
    Views.register(wh.spark(), registered);
    return registered;
  }
}
