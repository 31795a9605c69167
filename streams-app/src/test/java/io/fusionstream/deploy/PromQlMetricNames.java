package io.fusionstream.deploy;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the metric names a PromQL expression reads: enough of PromQL for dashboard queries
 * (selectors, ranges, aggregations with by/without, vector matching), not a full parser.
 */
final class PromQlMetricNames {

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?\\w+}?");
  private static final Pattern LABEL_LIST =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern BARE_MODIFIER = Pattern.compile("\\b(group_left|group_right|bool|and|or|unless)\\b");
  private static final Pattern OFFSET = Pattern.compile("\\boffset\\s+-?\\w+");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

  private PromQlMetricNames() {}

  static Set<String> in(String expression) {
    String rest = STRING.matcher(expression).replaceAll(" ");
    rest = MATCHERS.matcher(rest).replaceAll(" ");
    rest = RANGE.matcher(rest).replaceAll(" ");
    rest = VARIABLE.matcher(rest).replaceAll(" ");
    rest = LABEL_LIST.matcher(rest).replaceAll(" ");
    rest = BARE_MODIFIER.matcher(rest).replaceAll(" ");
    rest = OFFSET.matcher(rest).replaceAll(" ");
    Set<String> names = new LinkedHashSet<>();
    Matcher m = IDENTIFIER.matcher(rest);
    while (m.find()) {
      boolean isCall = m.group(2) != null;
      if (!isCall) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}
