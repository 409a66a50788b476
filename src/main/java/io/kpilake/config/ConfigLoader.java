package io.kpilake.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Loads the layered HOCON configuration: defaults ({@code conf/kpi-defaults.conf}, also inside the
 * jar) &lt; {@code --conf FILE} &lt; environment variables. Every problem is a {@link ConfigError}
 * naming the key and the bad value.
 */
public final class ConfigLoader {
  public static final String DEFAULTS_RESOURCE = "kpi-defaults.conf";

  /** Environment variable -> configuration key (cli.md). */
  public static final Map<String, String> ENV_KEYS = Map.of(
      "KPI_LANDING", "kpi.landing.path",
      "KPI_WAREHOUSE", "kpi.warehouse.path",
      "KPI_SPARK_MASTER", "kpi.spark.master");

  /**
   * The KPI settings kpis.md names (canonical) and the names they had before under kpi.metrics
   * (still accepted, and reported under the contract's name). Inside, the settings live at the
   * contract's names; the policy hash takes them as the same lines as when they sat under kpi.metrics.
   */
  static final Map<String, String> CONTRACT_KEYS = new java.util.TreeMap<>(Map.of(
      "kpi.churn.involuntary-window-days", "kpi.metrics.churn.involuntary-window-days",
      "kpi.ltv.gross-margin", "kpi.metrics.ltv.gross-margin",
      "kpi.ltv.max-lifetime-months", "kpi.metrics.ltv.max-lifetime-months",
      "kpi.payments.recovery-window-days", "kpi.metrics.payments.recovery-window-days"));

  /** Sub-trees whose keys are the user's own (free maps). */
  private static final Set<String> OPEN_MAPS = Set.of("kpi.spark.conf");
  private static final Pattern OPEN_MAP_PATTERN = Pattern.compile("^kpi\\.feeds\\.[^.]+\\.[^.]+\\.columns\\..+"
      + "|^kpi\\.catalog\\.kpis\\..+");
  private static final Pattern SECRET = Pattern.compile(
      "(?i).*(secret|password|passwd|token|credential|access\\.key|session\\.key|\\.key$).*");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  private ConfigLoader() {}

  public static KpiConfig load(File confFile, Map<String, String> env) {
    return fromConfig(layered(confFile, env));
  }

  /** The merged configuration tree, before validation. */
  public static Config layered(File confFile, Map<String, String> env) {
    Config defaults = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), DEFAULTS_RESOURCE,
        ConfigParseOptions.defaults().setAllowMissing(false));
    Config user = ConfigFactory.empty();
    if (confFile != null) {
      if (!confFile.isFile()) {
        throw new ConfigError("--conf: file not found: " + confFile);
      }
      try {
        user = ConfigFactory.parseFile(confFile, ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new ConfigError("--conf " + confFile + ": " + e.getMessage(), e);
      }
    }
    Map<String, Object> envValues = new LinkedHashMap<>();
    ENV_KEYS.forEach((var, key) -> {
      String v = env.get(var);
      if (v != null && !v.isBlank()) {
        envValues.put(key, v);
      }
    });
    Config fromEnv = ConfigFactory.parseMap(envValues, "environment variables");
    user = contractNames(user);
    rejectUnknownKeys(user, defaults);
    try {
      return fromEnv.withFallback(user).withFallback(defaults).resolve();
    } catch (ConfigException e) {
      throw new ConfigError(e.getMessage(), e);
    }
  }

  /**
   * The user's settings with each older name of {@link #CONTRACT_KEYS} moved to the contract's name;
   * the same setting under both names with different values is an error naming both.
   */
  static Config contractNames(Config user) {
    Config out = user;
    for (Map.Entry<String, String> k : CONTRACT_KEYS.entrySet()) {
      String contract = k.getKey();
      String older = k.getValue();
      if (!user.hasPathOrNull(older)) {
        continue;
      }
      ConfigValue old = user.getValue(older);
      if (user.hasPathOrNull(contract) && !user.getValue(contract).unwrapped().equals(old.unwrapped())) {
        throw new ConfigError("configuration keys '" + contract + "' = " + user.getValue(contract).render(ConfigRenderOptions.concise())
            + " and '" + older + "' = " + old.render(ConfigRenderOptions.concise()) + " set the same setting to different values: set '"
            + contract + "' (the name kpis.md gives it) only");
      }
      out = out.withoutPath(older).withValue(contract, old);
    }
    return out;
  }

  static void rejectUnknownKeys(Config user, Config defaults) {
    for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
      String key = e.getKey();
      if (!key.startsWith("kpi.")) {
        throw new ConfigError("unknown configuration key '" + key + "' (all keys live under 'kpi.')");
      }
      boolean open = OPEN_MAPS.stream().anyMatch(p -> key.startsWith(p + ".")) || OPEN_MAP_PATTERN.matcher(key).matches();
      if (!open && !defaults.hasPathOrNull(key)) {
        throw new ConfigError("unknown configuration key '" + key + "' = " + e.getValue().render(ConfigRenderOptions.concise()));
      }
    }
  }

  static KpiConfig fromConfig(Config c) {
    String landing = absolute(nonBlank(c, "kpi.landing.path"));
    String warehouse = absolute(nonBlank(c, "kpi.warehouse.path"));
    String currency = nonBlank(c, "kpi.reporting-currency");
    if (!CURRENCY.matcher(currency).matches()) {
      throw bad("kpi.reporting-currency", currency, "an ISO 4217 code such as USD");
    }
    KpiConfig.SparkSettings spark = new KpiConfig.SparkSettings(
        nonBlank(c, "kpi.spark.master"),
        nonBlank(c, "kpi.spark.app-name"),
        intAtLeast(c, "kpi.spark.shuffle-partitions", 1),
        bytesAtLeast(c, "kpi.spark.shuffle-partition-bytes", 0),
        bool(c, "kpi.spark.ui-enabled"),
        bytesAtLeast(c, "kpi.spark.small-data-bytes", 0),
        stringMap(c, "kpi.spark.conf"));
    KpiConfig.IngestSettings ingest = new KpiConfig.IngestSettings(
        intAtLeast(c, "kpi.ingest.min-partitions", 1),
        intAtLeast(c, "kpi.ingest.max-chars-per-cell", 1024),
        bytesAtLeast(c, "kpi.ingest.task-bytes", 1),
        bytesAtLeast(c, "kpi.ingest.broadcast-batch-max-bytes", 0),
        intAtLeast(c, "kpi.ingest.parallel-feeds", 1),
        bool(c, "kpi.ingest.silver-deletion-vectors"));
    Map<String, Map<String, String>> renames = new TreeMap<>();
    Config feeds = c.getConfig("kpi.feeds");
    for (String source : feeds.root().keySet()) {
      Config src = feeds.getConfig(source);
      for (String entity : src.root().keySet()) {
        String base = "kpi.feeds." + source + "." + entity;
        if (!io.kpilake.contract.Feeds.exists(source, entity)) {
          throw new ConfigError("unknown feed '" + base + "' (known feeds: " + io.kpilake.contract.Feeds.names() + ")");
        }
        Map<String, String> cols = stringMap(c, base + ".columns");
        for (String contractCol : cols.keySet()) {
          if (!io.kpilake.contract.Feeds.get(source, entity).hasColumn(contractCol)) {
            throw new ConfigError("unknown column '" + contractCol + "' in '" + base + ".columns' (not in the feed contract)");
          }
        }
        renames.put(source + "." + entity, Map.copyOf(cols));
      }
    }
    KpiConfig.MetricSettings metrics = new KpiConfig.MetricSettings(
        intAtLeast(c, "kpi.churn.involuntary-window-days", 1),
        doubleIn(c, "kpi.ltv.gross-margin", 0.0, 1.0),
        intAtLeast(c, "kpi.ltv.max-lifetime-months", 1),
        intAtLeast(c, "kpi.payments.recovery-window-days", 1),
        health(c),
        horizons(c, "kpi.metrics.value-at-risk.horizons-days"));
    KpiConfig.OpsSettings ops = new KpiConfig.OpsSettings(
        intAtLeast(c, "kpi.ops.lock-wait-seconds", 0),
        intAtLeast(c, "kpi.ops.lock-stale-after-minutes", 1),
        intAtLeast(c, "kpi.ops.retry.attempts", 1),
        doubleIn(c, "kpi.ops.retry.backoff-seconds", 0.0, 600.0),
        intAtLeast(c, "kpi.ops.parallel-publish", 1),
        doubleIn(c, "kpi.ops.incremental.max-affected-share", 0.0, 1.0),
        bytesAtLeast(c, "kpi.ops.incremental.min-silver-bytes", 0));
    return new KpiConfig(landing, warehouse, currency, spark, ingest, Map.copyOf(renames),
        gates(c), metrics, ops, catalog(c), policyHash(c));
  }

  /** The four components of the contract (columns of kpi.account_health), in column order. */
  public static final java.util.List<String> HEALTH_COMPONENTS = java.util.List.of("usage", "support", "relationship", "commercial");
  /** The signals the pipeline computes (kpis.md section 5). */
  public static final java.util.List<String> HEALTH_SIGNALS = java.util.List.of("seat_utilization", "usage_trend", "tickets_90d",
      "escalations_90d", "csat_90d", "roles_engaged_90d", "days_since_last_touch", "payment_success_90d", "mrr_change_90d");

  static KpiConfig.HealthSettings health(Config c) {
    String base = "kpi.metrics.health";
    Map<String, KpiConfig.Signal> signals = new LinkedHashMap<>();
    for (String name : HEALTH_SIGNALS) {
      String k = base + ".signals." + name;
      double bad = number(c, k + ".bad");
      double good = number(c, k + ".good");
      if (bad == good) {
        throw bad(k + ".good", String.valueOf(good), "a value different from " + k + ".bad (" + bad + ")");
      }
      int window = intAtLeast(c, k + ".window-days", name.equals("days_since_last_touch") ? 0 : 1);
      signals.put(name, new KpiConfig.Signal(name, bad, good, window));
    }
    java.util.List<KpiConfig.Component> components = new java.util.ArrayList<>();
    Set<String> used = new TreeSet<>();
    for (String name : HEALTH_COMPONENTS) {
      String k = base + ".components." + name;
      double weight = number(c, k + ".weight");
      if (weight < 0 || Double.isNaN(weight)) {
        throw bad(k + ".weight", String.valueOf(weight), "a weight >= 0");
      }
      java.util.List<String> names;
      try {
        names = c.getStringList(k + ".signals");
      } catch (ConfigException.WrongType e) {
        throw bad(k + ".signals", c.getValue(k + ".signals").render(ConfigRenderOptions.concise()), "a list of signal names");
      }
      for (String s : names) {
        if (!signals.containsKey(s)) {
          throw new ConfigError("configuration key '" + k + ".signals' names unknown signal '" + s + "' (known: "
              + String.join(", ", HEALTH_SIGNALS) + ")");
        }
        if (!used.add(s)) {
          throw new ConfigError("configuration key '" + k + ".signals': signal '" + s + "' is already in another component");
        }
      }
      components.add(new KpiConfig.Component(name, weight, java.util.List.copyOf(names)));
    }
    double green = doubleIn(c, base + ".buckets.green", 0, 100);
    double yellow = doubleIn(c, base + ".buckets.yellow", 0, 100);
    if (yellow > green) {
      throw bad(base + ".buckets.yellow", String.valueOf(yellow), "a threshold <= " + base + ".buckets.green (" + green + ")");
    }
    return new KpiConfig.HealthSettings(java.util.List.copyOf(components), java.util.Collections.unmodifiableMap(signals), green, yellow,
        doubleIn(c, base + ".alert.score-below", 0, 100), doubleIn(c, base + ".alert.drop", 0, 100),
        intAtLeast(c, base + ".backtest-horizon-days", 1));
  }

  static java.util.List<Integer> horizons(Config c, String key) {
    java.util.List<Integer> out;
    try {
      out = c.getIntList(key);
    } catch (ConfigException.WrongType e) {
      throw bad(key, c.getValue(key).render(ConfigRenderOptions.concise()), "a list of whole numbers of days");
    }
    if (out.isEmpty() || out.stream().anyMatch(h -> h < 1) || !out.equals(out.stream().sorted().distinct().toList())) {
      throw bad(key, out.toString(), "a non-empty, increasing list of days >= 1");
    }
    return java.util.List.copyOf(out);
  }

  private static double number(Config c, String key) {
    try {
      return c.getDouble(key);
    } catch (ConfigException.Missing e) {
      throw new ConfigError("missing configuration key '" + key + "'");
    } catch (ConfigException.WrongType e) {
      throw bad(key, c.getValue(key).render(ConfigRenderOptions.concise()), "a number");
    }
  }

  /** Local paths become absolute (relative to the working directory); URIs (s3a://, file:) stay. */
  static String absolute(String path) {
    if (path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      return path;
    }
    return java.nio.file.Path.of(path).toAbsolutePath().normalize().toString();
  }

  private static final Set<String> CATALOG_KPI_FIELDS = Set.of("definition", "formula", "target", "owner");

  /**
   * kpi.catalog: an entry for every curated table; KPI overrides only for real KPI columns
   * ("table.column") and only with the fields definition, formula, target, owner.
   */
  private static KpiConfig.CatalogSettings catalog(Config c) {
    java.util.List<io.kpilake.contract.KpiTable> tables = io.kpilake.contract.PublishedTables.MEASURED;
    Map<String, KpiConfig.CatalogTable> byTable = new TreeMap<>();
    for (io.kpilake.contract.KpiTable t : tables) {
      String base = "kpi.catalog.tables." + t.name();
      if (!c.hasPath(base)) {
        throw new ConfigError("missing configuration '" + base + "' (owner, data-source, frequency of kpi." + t.name() + ")");
      }
      byTable.put(t.name(), new KpiConfig.CatalogTable(nonBlank(c, base + ".owner"), nonBlank(c, base + ".data-source"),
          nonBlank(c, base + ".frequency")));
    }
    for (String t : c.getConfig("kpi.catalog.tables").root().keySet()) {
      if (!byTable.containsKey(t)) {
        throw new ConfigError("unknown table 'kpi.catalog.tables." + t + "' (the kpi tables: " + byTable.keySet() + ")");
      }
    }
    Map<String, KpiConfig.CatalogKpi> kpis = new TreeMap<>();
    com.typesafe.config.ConfigObject obj = c.getObject("kpi.catalog.kpis");
    for (String k : obj.keySet()) {
      String key = "kpi.catalog.kpis.\"" + k + "\"";
      int dot = k.indexOf('.');
      if (dot < 0 || !io.kpilake.contract.KpiCatalogTable.isKpi(tables, k.substring(0, dot), k.substring(dot + 1))) {
        throw new ConfigError("unknown KPI '" + key + "' (a key is \"<table>.<column>\" of a KPI column of a kpi table)");
      }
      if (!(obj.get(k) instanceof com.typesafe.config.ConfigObject)) {
        throw bad(key, obj.get(k).render(ConfigRenderOptions.concise()), "an object { definition, formula, target, owner }");
      }
      Config e = ((com.typesafe.config.ConfigObject) obj.get(k)).toConfig();
      for (String f : e.root().keySet()) {
        if (!CATALOG_KPI_FIELDS.contains(f)) {
          throw new ConfigError("unknown configuration key '" + key + "." + f + "' (fields: definition, formula, target, owner)");
        }
      }
      kpis.put(k, new KpiConfig.CatalogKpi(optionalString(e, "definition"), optionalString(e, "formula"),
          optionalString(e, "target"), optionalString(e, "owner")));
    }
    return new KpiConfig.CatalogSettings(nonBlank(c, "kpi.catalog.default-target"), Map.copyOf(byTable), Map.copyOf(kpis));
  }

  private static String optionalString(Config c, String key) {
    return c.hasPath(key) ? c.getString(key) : null;
  }

  /**
   * A short hash of the KPI-definition part of the configuration (metrics, currency, and the
   * catalog: its targets and definitions are published with the numbers).
   */
  static String policyHash(Config c) {
    Config metrics = c.getConfig("kpi.metrics");
    for (Map.Entry<String, String> k : CONTRACT_KEYS.entrySet()) {
      metrics = metrics.withValue(k.getValue().substring("kpi.metrics.".length()), c.getValue(k.getKey()));
    }
    String canonical = sortedLines(metrics) + "\nreporting-currency=" + c.getString("kpi.reporting-currency")
        + "\n" + sortedLines(c.getConfig("kpi.catalog"));
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The effective configuration as sorted {@code key = value} lines, secrets masked. */
  public static String toSortedMaskedString(Config c) {
    return sortedLines(c.withOnlyPath("kpi"));
  }

  private static String sortedLines(Config c) {
    StringBuilder sb = new StringBuilder();
    Set<String> keys = new TreeSet<>();
    c.entrySet().forEach(e -> keys.add(e.getKey()));
    for (String k : keys) {
      String v = c.getValue(k).render(ConfigRenderOptions.concise());
      sb.append(k).append(" = ").append(mask(k, v)).append('\n');
    }
    return sb.toString();
  }

  public static String mask(String key, String value) {
    return SECRET.matcher(key).matches() ? "****" : value;
  }

  public static boolean isSecretKey(String key) {
    return SECRET.matcher(key).matches();
  }

  private static String nonBlank(Config c, String key) {
    String v = string(c, key);
    if (v.isBlank()) {
      throw bad(key, v, "a non-empty value");
    }
    return v;
  }

  private static String string(Config c, String key) {
    try {
      return c.getString(key);
    } catch (ConfigException.Missing e) {
      throw new ConfigError("missing configuration key '" + key + "'");
    } catch (ConfigException.WrongType e) {
      throw bad(key, c.getValue(key).render(ConfigRenderOptions.concise()), "a string");
    }
  }

  /** A size in bytes, plain ({@code 67108864}) or with a HOCON unit ({@code 64M}, {@code 1G}). */
  private static long bytesAtLeast(Config c, String key, long min) {
    long v;
    try {
      v = c.getBytes(key);
    } catch (ConfigException.BadValue | ConfigException.WrongType e) {
      throw bad(key, c.getValue(key).render(ConfigRenderOptions.concise()), "a size in bytes such as 67108864 or 64M");
    }
    if (v < min) {
      throw bad(key, String.valueOf(v), "a size in bytes >= " + min);
    }
    return v;
  }

  private static int intAtLeast(Config c, String key, int min) {
    int v;
    try {
      v = c.getInt(key);
    } catch (ConfigException.WrongType e) {
      throw bad(key, c.getValue(key).render(ConfigRenderOptions.concise()), "a whole number");
    }
    if (v < min) {
      throw bad(key, String.valueOf(v), "a whole number >= " + min);
    }
    return v;
  }

  /** kpi.quality.gates: a level for every gate, and a share for those with a threshold. */
  private static KpiConfig.QualitySettings gates(Config c) {
    Map<String, KpiConfig.Gate> gates = new java.util.LinkedHashMap<>();
    for (String name : KpiConfig.QualitySettings.GATES) {
      String base = "kpi.quality.gates." + name;
      String level = nonBlank(c, base + ".level");
      KpiConfig.GateLevel lv;
      try {
        lv = KpiConfig.GateLevel.valueOf(level.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw bad(base + ".level", "\"" + level + "\"", "error, warn or off");
      }
      double max = c.hasPath(base + ".max") ? doubleIn(c, base + ".max", 0.0, 1.0) : Double.NaN;
      gates.put(name, new KpiConfig.Gate(name, lv, max));
    }
    return new KpiConfig.QualitySettings(Map.copyOf(gates));
  }

  private static double doubleIn(Config c, String key, double lo, double hi) {
    double v;
    try {
      v = c.getDouble(key);
    } catch (ConfigException.WrongType e) {
      throw bad(key, c.getValue(key).render(ConfigRenderOptions.concise()), "a number");
    }
    if (v < lo || v > hi) {
      throw bad(key, String.valueOf(v), "a number between " + lo + " and " + hi);
    }
    return v;
  }

  private static boolean bool(Config c, String key) {
    try {
      return c.getBoolean(key);
    } catch (ConfigException.WrongType e) {
      throw bad(key, c.getValue(key).render(ConfigRenderOptions.concise()), "true or false");
    }
  }

  private static Map<String, String> stringMap(Config c, String key) {
    Map<String, String> out = new TreeMap<>();
    if (!c.hasPath(key)) {
      return out;
    }
    if (c.getValue(key).valueType() != ConfigValueType.OBJECT) {
      throw bad(key, c.getValue(key).render(ConfigRenderOptions.concise()), "an object { key = value }");
    }
    for (Map.Entry<String, ConfigValue> e : c.getConfig(key).entrySet()) {
      Object raw = e.getValue().unwrapped();
      if (raw == null || e.getValue().valueType() == ConfigValueType.OBJECT || e.getValue().valueType() == ConfigValueType.LIST) {
        throw bad(key + "." + e.getKey(), e.getValue().render(ConfigRenderOptions.concise()), "a plain value");
      }
      out.put(stripQuotes(e.getKey()), String.valueOf(raw));
    }
    return out;
  }

  private static String stripQuotes(String k) {
    return k.replace("\"", "");
  }

  private static ConfigError bad(String key, String value, String expected) {
    return new ConfigError("configuration key '" + key + "' has bad value " + value + ": expected " + expected);
  }
}
