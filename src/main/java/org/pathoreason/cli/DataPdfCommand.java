package org.pathoreason.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pathoreason.data.pdf.PdfCounts;
import org.pathoreason.data.pdf.PdfFigureExtractor;
import org.pathoreason.data.pdf.PdfOptions;
import org.pathoreason.data.pdf.VisionFigureChecker;
import org.pathoreason.llm.ChatClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason data pdf}: figure-caption pairs from PDFs. */
@Command(name = "pdf", mixinStandardHelpOptions = true,
        description = {"Extract figure-caption pairs from PDFs (journal articles, textbooks) for caption pretraining "
                + "and CLIP: cropped figures (PNG), OUT/pairs.jsonl (canonical, task caption), counts.json and a "
                + "contact-sheet.html to review them.",
            "Optionally a vision model on an OpenAI-compatible endpoint checks each pair (--check-url)."})
final class DataPdfCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--in", required = true, paramLabel = "FILE|DIR", description = "A PDF, or a folder searched "
            + "for *.pdf.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (replaced when done).")
    Path out;

    @Option(names = "--vector-figures", description = "Also take figures drawn as vector graphics, rendered from "
            + "the page.")
    boolean vectorFigures;

    @Option(names = "--min-side", paramLabel = "PT", description = "Leave out images smaller than this on a side, "
            + "in points (default ${DEFAULT-VALUE}).", defaultValue = "40")
    double minSide;

    @Option(names = "--max-dpi", paramLabel = "DPI", description = "Highest crop resolution (default "
            + "${DEFAULT-VALUE}).", defaultValue = "300")
    int maxDpi;

    @Option(names = "--on-bad-file", paramLabel = "stop|skip", defaultValue = "stop", description = "A PDF that "
            + "cannot be read stops the run (default) or is skipped and reported.")
    String onBadFile;

    @Option(names = "--check-url", paramLabel = "URL", description = "OpenAI-compatible base URL of a vision model "
            + "that checks each pair, e.g. http://127.0.0.1:8000/v1 (off by default).")
    String checkUrl;

    @Option(names = "--check-model", paramLabel = "NAME", description = "Model name for --check-url.")
    String checkModel;

    @Option(names = "--check-key-env", paramLabel = "VAR", description = "Environment variable holding the "
            + "checker's API key.")
    String checkKeyEnv;

    @Option(names = "--check-timeout", paramLabel = "S", defaultValue = "120", description = "Seconds per checker "
            + "request (default ${DEFAULT-VALUE}).")
    int checkTimeout;

    @Override
    public Integer call() {
        PdfOptions options = PdfOptions.defaults().withVectorFigures(vectorFigures).withMinSidePoints(minSide)
                .withMaxDpi(maxDpi).withOnBadFile(PdfOptions.OnBadFile.parse(onBadFile));
        List<Path> pdfs = PdfFigureExtractor.inputs(in);
        PrintWriter err = spec.commandLine().getErr();
        PdfFigureExtractor extractor = new PdfFigureExtractor(options).listener(new PdfFigureExtractor.Listener() {
            private int index;
            private int total;

            @Override
            public void file(Path pdf, int i, int n) {
                index = i;
                total = n;
            }

            @Override
            public void fileDone(PdfFigureExtractor.FileReport r) {
                String what = r.error() != null ? "skipped: " + r.error()
                        : r.counts().pages() + " pages, " + r.counts().figures() + " figures";
                err.printf(Locale.ROOT, "[%d/%d] %s: %s%n", index, total, r.file(), what);
                err.flush();
            }
        });
        ChatClient client = null;
        if (checkUrl != null || checkModel != null) {
            if (checkUrl == null || checkModel == null) {
                throw new IllegalArgumentException("the pair checker needs both --check-url and --check-model");
            }
            client = ChatClient.builder().setBaseUrl(checkUrl).setModel(checkModel).optApiKeyEnv(checkKeyEnv)
                    .optTimeout(Duration.ofSeconds(checkTimeout)).build();
            extractor.checker(new VisionFigureChecker(client));
        }
        PdfFigureExtractor.Result r;
        try {
            r = extractor.extract(pdfs, out);
        } finally {
            if (client != null) {
                client.close();
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf("%-40s %5s %6s %5s %6s %7s %6s %6s %9s %9s%n", "file", "pages", "images", "decor", "small",
                "figcap", "pairs", "panels", "unm.img", "unm.cap");
        for (PdfFigureExtractor.FileReport f : r.files()) {
            row(w, f.document(), f.counts());
            for (String warning : f.warnings()) {
                w.println("  note: " + warning);
            }
            if (f.error() != null) {
                w.println("  skipped: " + f.error());
            }
        }
        if (r.files().size() > 1) {
            row(w, "total", r.total());
        }
        PdfCounts t = r.total();
        w.printf(Locale.ROOT, "%d pairs (%d figures, %d duplicates, %d rejected by the checker) and %d panel pairs "
                + "-> %s%n", t.pairs(), t.figures(), t.duplicates(), t.checkerRejected(), t.panelPairs(),
                out.resolve(PdfFigureExtractor.PAIRS));
        w.println("review: " + out.resolve(PdfFigureExtractor.CONTACT_SHEET));
        w.flush();
        return 0;
    }

    private static void row(PrintWriter w, String name, PdfCounts c) {
        w.printf("%-40s %5d %6d %5d %6d %7d %6d %6d %9d %9d%n", name.length() > 40 ? name.substring(0, 40) : name,
                c.pages(), c.images(), c.decorations(), c.smallImages(), c.figureCaptions(), c.pairs(), c.panelPairs(),
                c.unmatchedImages(), c.unmatchedCaptions());
    }
}
