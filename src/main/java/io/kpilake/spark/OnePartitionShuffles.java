package io.kpilake.spark;

import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.CoalesceExec;
import org.apache.spark.sql.execution.ColumnarRule;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.exchange.ENSURE_REQUIREMENTS$;
import org.apache.spark.sql.execution.exchange.ShuffleExchangeExec;
import scala.Function1;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

/**
 * In a small step (one shuffle partition, {@link SmallData}), a shuffle that Spark adds to meet a
 * join's, aggregate's or window's distribution moves every row into the one partition there is:
 * the same rows as concatenating the child's partitions in one task, without the stage boundary.
 * This rule replaces such a shuffle by that concatenation ({@code CoalesceExec(1)}); the sort Spark
 * put above it stays, so ordering requirements hold as before. On the 40-account night a KPI job
 * was 78 and 93 one-task stages, each paying the task's (de)serialization of its whole plan
 * (docs/design.md, "Where a tiny nightly's time goes"). Only shuffles Spark inserted for a
 * requirement ({@code ENSURE_REQUIREMENTS}) and only when the session has one shuffle partition:
 * a large step keeps its parallel shuffles, and a repartition written in code or by Delta is left
 * alone. Registered as a session extension (by {@link Sessions}); it runs after Spark's
 * {@code EnsureRequirements}, as a pre-columnar rule, the one physical hook extensions have there.
 */
public final class OnePartitionShuffles extends Rule<SparkPlan> {

  /** The session extension: {@code spark.sql.extensions = io.kpilake.spark.OnePartitionShuffles$Extension}. */
  public static final class Extension extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
    @Override
    public BoxedUnit apply(SparkSessionExtensions ext) {
      Function1<org.apache.spark.sql.SparkSession, ColumnarRule> rule = session -> new ColumnarRule() {
        @Override
        public Rule<SparkPlan> preColumnarTransitions() {
          return new OnePartitionShuffles();
        }
      };
      ext.injectColumnar(rule);
      return BoxedUnit.UNIT;
    }
  }

  @Override
  public SparkPlan apply(SparkPlan plan) {
    // The conf of the query being planned (the session that plans it).
    if (org.apache.spark.sql.internal.SQLConf.get().numShufflePartitions() != 1) {
      return plan;
    }
    return plan.transformUp(new AbstractPartialFunction<SparkPlan, SparkPlan>() {
      @Override
      public boolean isDefinedAt(SparkPlan p) {
        return p instanceof ShuffleExchangeExec s && s.shuffleOrigin() == ENSURE_REQUIREMENTS$.MODULE$
            && s.outputPartitioning().numPartitions() == 1;
      }

      @Override
      public <A1 extends SparkPlan, B1> B1 applyOrElse(A1 p, Function1<A1, B1> otherwise) {
        if (!isDefinedAt(p)) {
          return otherwise.apply(p);
        }
        @SuppressWarnings("unchecked")
        B1 coalesced = (B1) new CoalesceExec(1, ((ShuffleExchangeExec) p).child());
        return coalesced;
      }
    });
  }
}
