"""KPI Lake nightly as an Airflow DAG.

One task per night calls jobs/spark-submit-nightly.sh (the same entry point as cron and the cluster
test) with the run's date. ``max_active_runs=1`` keeps runs on one warehouse serial (Delta on S3 has a
single writer per table); catch-up reruns missed nights in order. A failed task (exit 3: a quality
gate failed and nothing was published; the previous results stay in place) is retried once, then
someone looks at ops.pipeline_runs and ops.quarantine.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

KPI_HOME = "/opt/kpi-lake"

with DAG(
    dag_id="kpi_lake_nightly",
    schedule="30 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=True,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=15)},
    tags=["kpi"],
) as dag:
    BashOperator(
        task_id="nightly",
        # data_interval_start is the day whose deliveries are complete when the DAG run starts.
        bash_command=f"{KPI_HOME}/jobs/spark-submit-nightly.sh --as-of {{{{ data_interval_start | ds }}}}",
        env={
            "KPI_SPARK_MASTER": "spark://spark-master:7077",
            "KPI_CONF": "/etc/kpi-lake/production.conf",
        },
        append_env=True,  # AWS credentials come from the worker's provider chain, not from here
        execution_timeout=timedelta(hours=3),
    )
