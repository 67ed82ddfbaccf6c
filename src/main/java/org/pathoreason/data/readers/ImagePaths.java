package org.pathoreason.data.readers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.data.Sample;

/** Moves samples' relative image paths from one base folder to another, so a converted file still finds them. */
public final class ImagePaths {

    private ImagePaths() {
    }

    /**
     * Samples whose relative image paths, read against {@code fromBase}, are rewritten relative to {@code toBase}
     * (with {@code /} separators); absolute paths stay as they are.
     */
    public static List<Sample> rebase(List<Sample> samples, Path fromBase, Path toBase) {
        Path from = fromBase.toAbsolutePath().normalize();
        Path to = toBase.toAbsolutePath().normalize();
        if (from.equals(to)) {
            return samples;
        }
        List<Sample> out = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            List<String> images = new ArrayList<>(s.images().size());
            for (String image : s.images()) {
                Path p = Path.of(image);
                images.add(p.isAbsolute() ? image : to.relativize(from.resolve(p).normalize()).toString()
                        .replace('\\', '/'));
            }
            out.add(s.withImages(images));
        }
        return out;
    }
}
