#!/usr/bin/env bash
# Submit a KPI Lake command (default: nightly) to a Spark cluster with the shaded job jar.
# This is the one entry point every scheduler in jobs/ calls (cron, Airflow, Kubernetes) and the one
# the cluster test uses.
#
#   jobs/spark-submit-nightly.sh --as-of 2026-11-22                  # nightly for that date
#   jobs/spark-submit-nightly.sh backfill --from 2026-01-01 --to 2026-03-31
#
# Environment:
#   KPI_SPARK_MASTER   cluster master URL (spark://host:7077, yarn, k8s://...); default local[*]
#   KPI_JOB_JAR        the shaded jar; default target/kpi-lake-*-job.jar (mvn -DskipTests package)
#   KPI_CONF           a HOCON file layered on conf/kpi-defaults.conf (landing, warehouse, S3, ...)
#   KPI_LANDING, KPI_WAREHOUSE   override kpi.landing.path / kpi.warehouse.path (s3a://... on a cluster)
#   SPARK_HOME         where bin/spark-submit lives. A Spark home without bin/ (a jars/ folder only,
#                      as the cluster test assembles from Maven) is run as java ... SparkSubmit.
#   KPI_DEPLOY_MODE    client (default) or cluster
#   KPI_SUBMIT_ARGS    extra spark-submit arguments (--executor-memory 8g --num-executors 4 ...)
#   KPI_JAVA_OPTS      extra JVM options for the driver and the executors (as for bin/kpi)
# Credentials for S3 come from the AWS provider chain (instance profile, AWS_* variables, web
# identity): never put them in KPI_CONF or on this command line.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FLAGS="$(sed -n 's/^spark\.jvm\.flags=//p' "$ROOT/conf/jvm.properties") ${KPI_JAVA_OPTS:-}"

JAR=${KPI_JOB_JAR:-$(ls "$ROOT"/target/kpi-lake-*-job.jar 2>/dev/null | head -1 || true)}
[[ -n "$JAR" && -f "$JAR" ]] || { echo "spark-submit-nightly: no job jar (set KPI_JOB_JAR or run 'mvn -DskipTests package')" >&2; exit 2; }

# "--as-of D" alone means "nightly --as-of D"; otherwise the first argument is the command.
if [[ $# -eq 0 || "$1" == --* ]]; then set -- nightly "$@"; fi
CMD=("$@")
if [[ -n "${KPI_CONF:-}" ]]; then CMD+=(--conf "$KPI_CONF"); fi

MASTER=${KPI_SPARK_MASTER:-local[*]}
if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then
  SUBMIT=("$SPARK_HOME/bin/spark-submit")
elif [[ -n "${SPARK_HOME:-}" && -d "$SPARK_HOME/jars" ]]; then
  # shellcheck disable=SC2086
  SUBMIT=(java $FLAGS -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.SparkSubmit)
elif command -v spark-submit >/dev/null; then
  SUBMIT=(spark-submit)
else
  echo "spark-submit-nightly: set SPARK_HOME or put spark-submit on the PATH" >&2; exit 2
fi

# shellcheck disable=SC2086
exec "${SUBMIT[@]}" \
  --master "$MASTER" \
  --deploy-mode "${KPI_DEPLOY_MODE:-client}" \
  --name kpi-lake \
  --class io.kpilake.cli.Main \
  --conf "spark.driver.extraJavaOptions=$FLAGS" \
  --conf "spark.executor.extraJavaOptions=$FLAGS" \
  --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
  --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
  ${KPI_SUBMIT_ARGS:-} \
  "$JAR" "${CMD[@]}"
