package dev.diffarm.engine.testing;

import java.util.Map;
import java.util.TreeMap;

/** The largest parity error seen per row (a sampler) and column (what was compared), printed as a table at the end. */
public final class WorstErrors {
    private final String title;
    private final String[] columns;
    private final Map<String, double[]> rows = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    public WorstErrors(String title, String... columns) {
        this.title = title;
        this.columns = columns.clone();
    }

    /** Keeps {@code error} if it is the largest so far for {@code row} in column {@code column}. */
    public synchronized void record(String row, int column, double error) {
        double[] worst = rows.computeIfAbsent(row, r -> new double[columns.length]);
        worst[column] = Math.max(worst[column], error);
    }

    /** Prints the table: one row per row name, the largest error of each column. */
    public synchronized void print() {
        StringBuilder table = new StringBuilder(title).append('\n').append(String.format("  %-22s", "sampler"));
        for (String column : columns) {
            table.append(String.format(" %14s", column));
        }
        rows.forEach((row, worst) -> {
            table.append('\n').append(String.format("  %-22s", row));
            for (double error : worst) {
                table.append(String.format(" %14.3g", error));
            }
        });
        System.out.println(table);
    }
}
