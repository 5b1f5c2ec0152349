package dev.diffarm.api.conformance;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What the conformance kit measured for one sampler.
 *
 * @param sampler    the sampler's name
 * @param steps      the steps of the statistics run
 * @param samples    the number of samples the statistics are over
 * @param statistics the output's statistics against the data's
 */
public record ConformanceReport(String sampler, int steps, int samples, List<Statistic> statistics) {
    public ConformanceReport {
        statistics = List.copyOf(statistics);
    }

    @Override
    public String toString() {
        return sampler + ", " + steps + " steps, " + samples + " samples: "
                + statistics.stream().map(Statistic::toString).collect(Collectors.joining("; "));
    }
}
