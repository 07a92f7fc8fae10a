package dev.drpo.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.app.deploy.ComposeFile;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ point only at what the repository holds, and the README's status table
 * quotes numbers its results/ files hold: a reader who follows a link or checks a number finds it.
 */
class DocumentationLinksTest {
  private static final Path ROOT = ComposeFile.ROOT;
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*)$");
  private static final Pattern BOLD = Pattern.compile("\\*\\*([^*]+)\\*\\*");
  private static final Pattern QUOTED_NUMBER = Pattern.compile("\\d[\\d,]*(?:\\.\\d+)?");
  private static final Pattern FILE_NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?(?:[eE]-?\\d+)?");

  @Test
  void shouldResolveEveryRelativeLinkInsideTheRepository() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path page : pages()) {
      for (String target : links(Files.readString(page))) {
        if (target.matches("^[a-z]+:.*")) {
          continue; // http(s), mailto: outside the repository by intent
        }
        String problem = resolve(page, target);
        if (problem != null) {
          broken.add(ROOT.relativize(page) + ": (" + target + ") " + problem);
        }
      }
    }
    assertThat(broken).as("links that lead nowhere").isEmpty();
  }

  @Test
  void shouldFindEveryBoldNumberOfTheStatusTableInTheResultsItsRowLinks() throws IOException {
    List<String> rows = statusRows();
    assertThat(rows).as("rows of the README's status table").hasSizeGreaterThan(5);
    List<String> missing = new ArrayList<>();
    for (String row : rows) {
      List<String> quoted = boldNumbers(row);
      if (quoted.isEmpty()) {
        continue;
      }
      List<Path> results = links(row).stream().map(t -> t.split("#", 2)[0]).filter(t -> t.startsWith("results/"))
          .map(ROOT::resolve).toList();
      if (results.isEmpty()) {
        missing.add(rowName(row) + ": quotes " + quoted + " and links no file under results/");
        continue;
      }
      List<Double> held = new ArrayList<>();
      for (Path file : results) {
        Matcher m = FILE_NUMBER.matcher(Files.readString(file));
        while (m.find()) {
          held.add(Double.parseDouble(m.group()));
        }
      }
      for (String number : quoted) {
        if (!held(number, held)) {
          missing.add(rowName(row) + ": " + number + " is in none of " + results.stream().map(ROOT::relativize).toList());
        }
      }
    }
    assertThat(missing).as("numbers of the status table that its results do not hold").isEmpty();
  }

  /** README.md, docs/*.md and every README under results/. */
  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    for (String dir : List.of("docs", "results")) {
      try (Stream<Path> files = Files.walk(ROOT.resolve(dir))) {
        files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
      }
    }
    return pages;
  }

  /** The targets of the markdown links outside fenced code blocks and inline code, also those wrapped over lines. */
  private static List<String> links(String markdown) {
    StringBuilder prose = new StringBuilder();
    boolean fenced = false;
    for (String line : markdown.split("\n")) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      } else if (!fenced) {
        prose.append(line).append(line.isBlank() || line.startsWith("|") ? "\n" : " ");
      }
    }
    List<String> targets = new ArrayList<>();
    Matcher m = LINK.matcher(prose.toString().replaceAll("`[^`\n]*`", "``"));
    while (m.find()) {
      targets.add(m.group(1));
    }
    return targets;
  }

  /** Why the link does not lead to a file (and heading) inside the repository, or null. */
  private static String resolve(Path page, String target) throws IOException {
    String[] parts = target.split("#", 2);
    Path file = parts[0].isEmpty() ? page : page.getParent().resolve(parts[0]).normalize();
    if (!file.startsWith(ROOT)) {
      return "is outside the repository";
    }
    if (!Files.exists(file)) {
      return "does not exist";
    }
    if (parts.length == 2 && file.toString().endsWith(".md") && !anchors(Files.readString(file)).contains(parts[1])) {
      return "names no heading of " + ROOT.relativize(file);
    }
    return null;
  }

  /** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
  static List<String> anchors(String markdown) {
    List<String> anchors = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : markdown.split("\n")) {
      if (line.startsWith("```")) {
        fenced = !fenced;
      }
      Matcher m = HEADING.matcher(line);
      if (fenced || !m.matches()) {
        continue;
      }
      String slug = m.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return anchors;
  }

  private static List<String> statusRows() throws IOException {
    List<String> rows = new ArrayList<>();
    boolean inStatus = false;
    for (String line : Files.readString(ROOT.resolve("README.md")).split("\n")) {
      if (line.startsWith("## ")) {
        inStatus = line.startsWith("## Status");
      } else if (inStatus && line.startsWith("| ") && !line.startsWith("| |")) {
        rows.add(line);
      }
    }
    return rows;
  }

  private static String rowName(String row) {
    return row.split("\\|")[1].trim();
  }

  /** The numbers in the bold spans of a row's measured cell, as written (thousands' commas dropped). */
  private static List<String> boldNumbers(String row) {
    List<String> numbers = new ArrayList<>();
    Matcher bold = BOLD.matcher(row.split("\\|")[2]);
    while (bold.find()) {
      Matcher m = QUOTED_NUMBER.matcher(bold.group(1));
      while (m.find()) {
        numbers.add(m.group().replace(",", ""));
      }
    }
    return numbers;
  }

  /**
   * Whether a number in the file, rounded to the quoted decimals, is the quoted number (also read in
   * thousandths: ms quoted as s, us as ms). A quoted number needs two significant digits at least;
   * with few digits it can still match another number of a large file, so this proves that the
   * results hold the number, not that it is the one the row means: quote three digits where a file
   * holds many numbers of that size.
   */
  static boolean held(String quoted, List<Double> held) {
    BigDecimal q = new BigDecimal(quoted);
    assertThat(q.precision()).as("significant digits of %s (quote at least two)", quoted).isGreaterThanOrEqualTo(2);
    for (double x : held) {
      for (double scaled : new double[] {x, x / 1000}) {
        if (Double.isFinite(scaled) && BigDecimal.valueOf(scaled).setScale(q.scale(), RoundingMode.HALF_UP).compareTo(q) == 0) {
          return true;
        }
      }
    }
    return false;
  }
}
