package io.kpilake.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path tmp;

  private File conf(String text) throws IOException {
    Path p = tmp.resolve("user.conf");
    Files.writeString(p, text);
    return p.toFile();
  }

  @Test
  void defaultsLoad() {
    KpiConfig c = ConfigLoader.load(null, Map.of());
    // Relative local paths are resolved against the working directory once, at the edge.
    assertEquals(java.nio.file.Path.of("landing").toAbsolutePath().toString(), c.landingPath());
    assertEquals("local[*]", c.spark().master());
    assertEquals(30, c.metrics().involuntaryWindowDays());
    assertEquals("USD", c.reportingCurrency());
  }

  @Test
  void extraSparkSettingsWinAndTheRestIsKept() throws IOException {
    KpiConfig c = ConfigLoader.load(conf("kpi.spark.conf { \"spark.a\" = \"1\", \"spark.b\" = \"2\" }"), Map.of())
        .withSparkConf(" (serve)", Map.of("spark.b", "3", "spark.c", "4"));
    assertEquals(Map.of("spark.a", "1", "spark.b", "3", "spark.c", "4"), c.spark().conf());
    assertEquals("kpi-lake (serve)", c.spark().appName());
    assertEquals(8, c.spark().shufflePartitions());
    assertEquals(128L << 20, c.spark().shufflePartitionBytes());
    assertEquals("USD", c.reportingCurrency());
  }

  @Test
  void layeringIsDefaultsThenFileThenEnvironment() throws IOException {
    File f = conf("kpi.landing.path = /from/file\nkpi.warehouse.path = /wh/file\nkpi.spark.shuffle-partitions = 3");
    KpiConfig c = ConfigLoader.load(f, Map.of("KPI_LANDING", "s3a://bucket/landing", "KPI_SPARK_MASTER", "spark://h:7077"));
    assertEquals("s3a://bucket/landing", c.landingPath()); // env beats file
    assertEquals("/wh/file", c.warehousePath()); // file beats defaults
    assertEquals("spark://h:7077", c.spark().master());
    assertEquals(3, c.spark().shufflePartitions());
  }

  @Test
  void unknownKeyIsNamed() throws IOException {
    ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(conf("kpi.warehouse.pth = /x"), Map.of()));
    assertEquals("unknown configuration key 'kpi.warehouse.pth' = \"/x\"", e.getMessage());
  }

  @Test
  void badValuesNameKeyAndValue() throws IOException {
    ConfigError e = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(conf("kpi.spark.shuffle-partitions = lots"), Map.of()));
    assertEquals("configuration key 'kpi.spark.shuffle-partitions' has bad value \"lots\": expected a whole number", e.getMessage());
    e = assertThrows(ConfigError.class, () -> ConfigLoader.load(conf("kpi.ltv.gross-margin = 2"), Map.of()));
    assertTrue(e.getMessage().contains("kpi.ltv.gross-margin"), e.getMessage());
    // The older name of the same setting is checked under the contract's name.
    e = assertThrows(ConfigError.class, () -> ConfigLoader.load(conf("kpi.metrics.ltv.gross-margin = 1.5"), Map.of()));
    assertEquals("configuration key 'kpi.ltv.gross-margin' has bad value 1.5: expected a number between 0.0 and 1.0",
        e.getMessage());
    e = assertThrows(ConfigError.class, () -> ConfigLoader.load(conf("kpi.reporting-currency = dollars"), Map.of()));
    assertTrue(e.getMessage().startsWith("configuration key 'kpi.reporting-currency' has bad value dollars"), e.getMessage());
  }

  @Test
  void ingestByteLimitsTakeHoconSizesAndNameABadOne() throws IOException {
    // Defaults: 64M = 64 x 1024 x 1024 = 67,108,864 bytes for both limits.
    KpiConfig d = ConfigLoader.load(null, Map.of());
    assertEquals(67_108_864L, d.ingest().taskBytes());
    assertEquals(67_108_864L, d.ingest().broadcastBatchMaxBytes());
    // 8k = 8 x 1024 = 8,192; a plain number is bytes; 0 turns the broadcast off.
    KpiConfig c = ConfigLoader.load(conf("kpi.ingest.task-bytes = 8k\nkpi.ingest.broadcast-batch-max-bytes = 0"), Map.of());
    assertEquals(8_192L, c.ingest().taskBytes());
    assertEquals(0L, c.ingest().broadcastBatchMaxBytes());
    ConfigError e = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(conf("kpi.ingest.task-bytes = huge"), Map.of()));
    assertEquals("configuration key 'kpi.ingest.task-bytes' has bad value \"huge\": expected a size in bytes such as 67108864 or 64M",
        e.getMessage());
    e = assertThrows(ConfigError.class, () -> ConfigLoader.load(conf("kpi.ingest.task-bytes = 0"), Map.of()));
    assertEquals("configuration key 'kpi.ingest.task-bytes' has bad value 0: expected a size in bytes >= 1", e.getMessage());
  }

  @Test
  void silverDeletionVectorsAreOffByDefault() throws IOException {
    assertFalse(ConfigLoader.load(null, Map.of()).ingest().silverDeletionVectors());
    assertTrue(ConfigLoader.load(conf("kpi.ingest.silver-deletion-vectors = true"), Map.of()).ingest().silverDeletionVectors());
  }

  @Test
  void parallelFeedsDefaultsToTwoAndRefusesZero() throws IOException {
    assertEquals(2, ConfigLoader.load(null, Map.of()).ingest().parallelFeeds());
    assertEquals(1, ConfigLoader.load(conf("kpi.ingest.parallel-feeds = 1"), Map.of()).ingest().parallelFeeds());
    ConfigError e = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(conf("kpi.ingest.parallel-feeds = 0"), Map.of()));
    assertEquals("configuration key 'kpi.ingest.parallel-feeds' has bad value 0: expected a whole number >= 1", e.getMessage());
  }

  @Test
  void qualityGatesHaveALevelAndAThreshold() throws IOException {
    KpiConfig c = ConfigLoader.load(null, Map.of());
    assertEquals(KpiConfig.GateLevel.ERROR, c.quality().gate("quarantine-rate").level());
    assertEquals(0.05, c.quality().gate("quarantine-rate").max());
    assertEquals(KpiConfig.GateLevel.WARN, c.quality().gate("row-count-drop").level());
    c = ConfigLoader.load(conf("kpi.quality.gates.mrr-bridge.level = warn\nkpi.ops.lock-wait-seconds = 600"), Map.of());
    assertEquals(KpiConfig.GateLevel.WARN, c.quality().gate("mrr-bridge").level());
    assertEquals(600, c.ops().lockWaitSeconds());
    ConfigError e = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(conf("kpi.quality.gates.negative-mrr.level = fatal"), Map.of()));
    assertEquals("configuration key 'kpi.quality.gates.negative-mrr.level' has bad value \"fatal\": expected error, warn or off",
        e.getMessage());
    e = assertThrows(ConfigError.class, () -> ConfigLoader.load(conf("kpi.quality.gates.typo-gate.level = warn"), Map.of()));
    assertTrue(e.getMessage().startsWith("unknown configuration key 'kpi.quality.gates.typo-gate"), e.getMessage());
  }

  @Test
  void feedRenamesAreValidatedAgainstTheContract() throws IOException {
    KpiConfig c = ConfigLoader.load(conf("kpi.feeds.crm.accounts.columns { account_id = customer }"), Map.of());
    assertEquals(Map.of("account_id", "customer"), c.renamesFor("crm", "accounts"));
    ConfigError e = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(conf("kpi.feeds.crm.accounts.columns { acount_id = customer }"), Map.of()));
    assertTrue(e.getMessage().contains("unknown column 'acount_id' in 'kpi.feeds.crm.accounts.columns'"), e.getMessage());
  }

  @Test
  void missingConfFileIsAConfigError() {
    ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(new File(tmp.toFile(), "nope.conf"), Map.of()));
    assertTrue(e.getMessage().startsWith("--conf: file not found"), e.getMessage());
  }

  @Test
  void effectiveConfigIsSortedWithSecretsMasked() throws IOException {
    File f = conf("kpi.spark.conf { \"spark.hadoop.fs.s3a.secret.key\" = hunter2, \"spark.hadoop.fs.s3a.endpoint\" = \"http://127.0.0.1:9000\" }");
    String s = ConfigLoader.toSortedMaskedString(ConfigLoader.layered(f, Map.of()));
    assertFalse(s.contains("hunter2"), s);
    assertTrue(s.contains("spark.hadoop.fs.s3a.secret.key\" = ****"), s);
    assertTrue(s.contains("http://127.0.0.1:9000"), s);
    assertTrue(s.indexOf("kpi.landing.path") < s.indexOf("kpi.warehouse.path"));
  }

  @Test
  void theContractsKeyNamesAreCanonicalAndTheOlderNamesStillWork() throws IOException {
    // kpis.md: kpi.ltv.gross-margin, kpi.ltv.max-lifetime-months, kpi.churn.involuntary-window-days,
    // kpi.payments.recovery-window-days.
    KpiConfig c = ConfigLoader.load(conf("kpi.ltv.gross-margin = 0.8\nkpi.ltv.max-lifetime-months = 36\n"
        + "kpi.churn.involuntary-window-days = 14\nkpi.payments.recovery-window-days = 10\n"), Map.of());
    assertEquals(0.8, c.metrics().grossMargin());
    assertEquals(36, c.metrics().maxLifetimeMonths());
    assertEquals(14, c.metrics().involuntaryWindowDays());
    assertEquals(10, c.metrics().recoveryWindowDays());
    KpiConfig older = ConfigLoader.load(conf("kpi.metrics.ltv.gross-margin = 0.8\nkpi.metrics.ltv.max-lifetime-months = 36\n"
        + "kpi.metrics.churn.involuntary-window-days = 14\nkpi.metrics.payments.recovery-window-days = 10\n"), Map.of());
    assertEquals(c.metrics(), older.metrics());
    assertEquals(c.policyHash(), older.policyHash(), "one setting, one hash, whichever name set it");
    // Both names with the same value: fine. Different values: exit 2 naming both.
    assertEquals(0.8, ConfigLoader.load(conf("kpi.ltv.gross-margin = 0.8\nkpi.metrics.ltv.gross-margin = 0.8"), Map.of())
        .metrics().grossMargin());
    ConfigError e = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(conf("kpi.ltv.gross-margin = 0.8\nkpi.metrics.ltv.gross-margin = 0.7"), Map.of()));
    assertEquals("configuration keys 'kpi.ltv.gross-margin' = 0.8 and 'kpi.metrics.ltv.gross-margin' = 0.7 set the same setting "
        + "to different values: set 'kpi.ltv.gross-margin' (the name kpis.md gives it) only", e.getMessage());
  }

  @Test
  void policyHashFollowsTheKpiDefinitionsOnly() throws IOException {
    String base = ConfigLoader.load(null, Map.of()).policyHash();
    assertEquals(base, ConfigLoader.load(conf("kpi.landing.path = /elsewhere"), Map.of()).policyHash());
    assertNotEquals(base, ConfigLoader.load(conf("kpi.ltv.gross-margin = 0.8"), Map.of()).policyHash());
    assertNotEquals(base, ConfigLoader.load(conf("kpi.payments.recovery-window-days = 10"), Map.of()).policyHash());
  }

  @Test
  void theHealthModelIsConfigurationAndItsMistakesNameTheKey() throws IOException {
    KpiConfig c = ConfigLoader.load(conf("kpi.metrics.health.components.usage.weight = 10\n"
        + "kpi.metrics.health.components.usage.signals = [seat_utilization]\n"
        + "kpi.metrics.health.components.commercial.signals = [payment_success_90d, mrr_change_90d, usage_trend]"), Map.of());
    assertEquals(10.0, c.metrics().health().components().get(0).weight());
    assertEquals(java.util.List.of("payment_success_90d", "mrr_change_90d", "usage_trend"), c.metrics().health().components().get(3).signals());

    ConfigError e = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(conf("kpi.metrics.health.components.usage.signals = [seat_utilisation]"), Map.of()));
    assertTrue(e.getMessage().startsWith("configuration key 'kpi.metrics.health.components.usage.signals' names unknown signal "
        + "'seat_utilisation'"), e.getMessage());
    e = assertThrows(ConfigError.class, () -> ConfigLoader.load(conf("kpi.metrics.health.components.support.weight = -5"), Map.of()));
    assertEquals("configuration key 'kpi.metrics.health.components.support.weight' has bad value -5.0: expected a weight >= 0",
        e.getMessage());
    e = assertThrows(ConfigError.class, () -> ConfigLoader.load(conf("kpi.metrics.health.signals.csat_90d.good = 2"), Map.of()));
    assertTrue(e.getMessage().startsWith("configuration key 'kpi.metrics.health.signals.csat_90d.good' has bad value 2.0"), e.getMessage());
    e = assertThrows(ConfigError.class, () -> ConfigLoader.load(conf("kpi.metrics.health.signals.nps.bad = 0"), Map.of()));
    assertTrue(e.getMessage().startsWith("unknown configuration key 'kpi.metrics.health.signals.nps.bad'"), e.getMessage());
    e = assertThrows(ConfigError.class, () -> ConfigLoader.load(conf("kpi.metrics.value-at-risk.horizons-days = [60, 30]"), Map.of()));
    assertTrue(e.getMessage().contains("kpi.metrics.value-at-risk.horizons-days"), e.getMessage());
    assertNotEquals(ConfigLoader.load(null, Map.of()).policyHash(), c.policyHash());
  }
}
