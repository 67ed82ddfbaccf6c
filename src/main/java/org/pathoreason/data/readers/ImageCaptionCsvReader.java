package org.pathoreason.data.readers;

import org.pathoreason.util.CsvRecords;

import org.pathoreason.data.Task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;

/**
 * A CSV of image-caption pairs with a header row, as OpenCLIP's CSV datasets and many figure-caption corpora are
 * shipped: an image column ({@code image}, {@code filepath}, {@code path} or {@code file}), a caption column
 * ({@code caption}, {@code title} or {@code text}) and optionally {@code id} and {@code label}. Each row becomes a
 * {@code caption} sample; images are kept as written (relative to the CSV's folder); {@code label} goes to
 * {@code meta.label}. Ids are the {@code id} column or {@code row-N} (N the line number).
 */
public final class ImageCaptionCsvReader implements DatasetReader {

    static final List<String> IMAGE_COLUMNS = List.of("image", "filepath", "path", "file");
    static final List<String> CAPTION_COLUMNS = List.of("caption", "title", "text");

    @Override
    public List<Sample> read(Path file, ReadOptions options) {
        List<CsvRecords.Row> rows = CsvRecords.readAll(file);
        if (rows.isEmpty()) {
            throw new DataException(file + ": empty CSV; expected a header row with an image column "
                    + IMAGE_COLUMNS + " and a caption column " + CAPTION_COLUMNS);
        }
        Map<String, Integer> header = new LinkedHashMap<>();
        List<String> names = rows.get(0).fields();
        for (int i = 0; i < names.size(); i++) {
            header.putIfAbsent(names.get(i).trim().toLowerCase(Locale.ROOT), i);
        }
        int image = column(file, header, IMAGE_COLUMNS, "image");
        int caption = column(file, header, CAPTION_COLUMNS, "caption");
        Integer id = header.get("id");
        Integer label = header.get("label");
        List<Sample> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (CsvRecords.Row r : rows.subList(1, rows.size())) {
            List<String> f = r.fields();
            if (f.size() == 1 && f.get(0).isBlank()) {
                continue;
            }
            if (f.size() != names.size()) {
                throw new DataException(file + ":" + r.line() + ": " + f.size() + " fields, the header has "
                        + names.size());
            }
            String img = f.get(image).trim();
            String text = f.get(caption).trim();
            if (img.isEmpty() || text.isEmpty()) {
                throw new DataException(file + ":" + r.line() + ": empty " + (img.isEmpty() ? names.get(image)
                        : names.get(caption)));
            }
            String sid = id != null && !f.get(id).isBlank() ? f.get(id).trim() : "row-" + r.line();
            if (!ids.add(sid)) {
                throw new DataException(file + ":" + r.line() + ": duplicate id '" + sid + "'");
            }
            Map<String, Object> meta = label != null && !f.get(label).isBlank() ? Map.of("label", f.get(label).trim())
                    : Map.of();
            out.add(captionSample(sid, img, text, meta));
        }
        return out;
    }

    /** The one place this reader makes samples. */
    private static Sample captionSample(String id, String image, String caption, Map<String, Object> meta) {
        return new Sample(id, List.of(image), "", List.of(), null, null, null, caption, List.of(), Task.CAPTION,
                "caption", meta);
    }

    private static int column(Path file, Map<String, Integer> header, List<String> candidates, String what) {
        for (String c : candidates) {
            Integer i = header.get(c);
            if (i != null) {
                return i;
            }
        }
        throw new DataException(file + ": the header " + header.keySet() + " has no " + what + " column (one of "
                + candidates + ")");
    }
}
