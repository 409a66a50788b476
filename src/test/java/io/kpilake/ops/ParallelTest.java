package io.kpilake.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Steps start in the order asked for; results and failures come back in the items' order. */
class ParallelTest {
  /** Feeds and their new bytes, in the contract's order. */
  private static final List<String> FEEDS = List.of("crm/accounts", "billing/invoice_lines", "usage/usage_daily", "fx/rates");
  private static final Map<String, Long> BYTES = Map.of("crm/accounts", 10L, "billing/invoice_lines", 300L,
      "usage/usage_daily", 500L, "fx/rates", 20L);

  @Test
  void theLargestStartFirstAndTheResultsComeInTheItemsOrder() {
    List<String> started = Collections.synchronizedList(new ArrayList<>());
    List<String> done = new ArrayList<>();
    // One thread: the start order is the order asked for, 500 > 300 > 20 > 10 bytes.
    Parallel.forEach(FEEDS, Comparator.comparing((String f) -> BYTES.get(f)).reversed(), 1, "test", f -> {
      started.add(f);
      return f.toUpperCase();
    }, done::add);
    assertEquals(List.of("usage/usage_daily", "billing/invoice_lines", "fx/rates", "crm/accounts"), started);
    assertEquals(List.of("CRM/ACCOUNTS", "BILLING/INVOICE_LINES", "USAGE/USAGE_DAILY", "FX/RATES"), done);
  }

  @Test
  void withoutAStartOrderTheItemsStartInTheirOwnOrder() {
    List<String> started = Collections.synchronizedList(new ArrayList<>());
    assertEquals(FEEDS, Parallel.map(FEEDS, 1, "test", f -> {
      started.add(f);
      return f;
    }));
    assertEquals(FEEDS, started);
  }

  @Test
  void theFirstFailureInTheItemsOrderIsThrownAfterTheOthersFinish() {
    List<String> done = new ArrayList<>();
    // Started largest first, usage fails before accounts; accounts comes first in the items' order.
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(FEEDS,
        Comparator.comparing((String f) -> BYTES.get(f)).reversed(), 2, "test", f -> {
          if (f.equals("crm/accounts") || f.equals("usage/usage_daily")) {
            throw new IllegalStateException(f + " failed");
          }
          return f;
        }, done::add));
    assertEquals("crm/accounts failed", e.getMessage());
    assertEquals("usage/usage_daily failed", e.getSuppressed()[0].getMessage());
    assertEquals(List.of("billing/invoice_lines", "fx/rates"), done);
  }
}
