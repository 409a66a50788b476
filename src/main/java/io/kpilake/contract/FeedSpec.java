package io.kpilake.contract;

import java.util.List;
import java.util.Set;

/**
 * One landing feed of the contract: its columns, key and rules. Records with the same key are
 * versions of one record; the greatest {@code updated_at} wins (ties: later file, then later row).
 */
public record FeedSpec(String source, String entity, List<Column> columns, List<String> key, String comment)
    implements java.io.Serializable {

  /** A contract column: type, whether it must be non-null, and its allowed values (empty: any). */
  public record Column(String name, ColumnType type, boolean required, Set<String> allowed, String comment)
      implements java.io.Serializable {
    public boolean isEnum() {
      return !allowed.isEmpty();
    }
  }

  public String name() {
    return source + "/" + entity;
  }

  /** Table name used in the bronze and silver databases. */
  public String tableName() {
    return entity.equals("rates") ? "fx_rates" : entity;
  }

  /**
   * The key column silver's files are clustered by (ranges of it per file): the key's date, when
   * it has one (a day's deliveries are a new date: usage, FX rates), else its first column (ids,
   * new ones after the old). A night's keys then fall in few files' min/max ranges, and Delta
   * skips the others.
   */
  public String clusterColumn() {
    return key.stream().filter(k -> column(k).type() == ColumnType.DATE).findFirst().orElse(key.get(0));
  }

  public boolean hasUpdatedAt() {
    return hasColumn("updated_at");
  }

  public boolean hasColumn(String name) {
    return columns.stream().anyMatch(c -> c.name().equals(name));
  }

  public Column column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(name() + " has no column " + name));
  }

  public List<String> requiredColumns() {
    return columns.stream().filter(Column::required).map(Column::name).toList();
  }

  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }
}
