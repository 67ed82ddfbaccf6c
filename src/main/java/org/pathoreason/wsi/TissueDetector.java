package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tissue segmentation as CLAM's {@code segmentTissue}: the HSV saturation of a low-resolution level, a median blur,
 * a fixed or Otsu threshold, a morphological closing, then tissue regions and their holes filtered by area in
 * reference patches. CLAM finds contours with OpenCV; here regions are 8-connected components and holes the
 * 4-connected background enclosed by them, and areas are counted in cells (OpenCV's contour area runs through the
 * boundary pixels' centres, about half a perimeter less).
 */
public final class TissueDetector {

    /** Largest image segmented as it is (4096 x 4096); a larger level is area-averaged down to this many pixels. */
    static final long MAX_SEGMENTATION_PIXELS = 1L << 24;

    private TissueDetector() {
    }

    /** Level {@code level} area-averaged to {@code tw x th}, read in bands of rows so memory stays bounded. */
    private static BufferedImage readScaled(Slide slide, int level, int tw, int th) {
        Level l = slide.level(level);
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        int bandRows = Math.max(1, th / 16);
        for (int ty = 0; ty < th; ty += bandRows) {
            int rows = Math.min(bandRows, th - ty);
            long y0 = Math.round((double) ty * l.height() / th);
            long y1 = Math.round((double) (ty + rows) * l.height() / th);
            int sh = (int) Math.max(1, y1 - y0);
            if ((long) sh * l.width() > Slide.MAX_REGION_PIXELS) {
                throw new SlideException(slide.path() + ": level " + level + " (" + l.width() + " x " + l.height()
                        + ") is too large to segment; choose a smaller level with --seg-level");
            }
            BufferedImage band = slide.readRegionRgb(0, Math.round(y0 * l.downsample()), level, (int) l.width(), sh);
            BufferedImage small = Images.resizeArea(band, tw, rows);
            out.getGraphics().drawImage(small, 0, ty, null);
        }
        return out;
    }

    public static TissueMask detect(Slide slide, TissueOptions o) {
        int level = o.level() >= 0 ? o.level() : slide.bestLevelForDownsample(o.targetDownsample());
        if (level >= slide.levelCount()) {
            throw new SlideException(slide.path() + ": segmentation level " + level + " does not exist (the slide "
                    + "has " + slide.levelCount() + " levels)");
        }
        Level l = slide.level(level);
        BufferedImage img;
        if (l.width() * l.height() <= MAX_SEGMENTATION_PIXELS) {
            img = slide.readRegionRgb(0, 0, level, (int) l.width(), (int) l.height());
        } else {
            // a slide without a small enough level: read it area-averaged down to the pixel budget
            double scale = Math.sqrt((double) MAX_SEGMENTATION_PIXELS / (l.width() * l.height()));
            int tw = (int) Math.max(1, Math.floor(l.width() * scale));
            int th = (int) Math.max(1, Math.floor(l.height() * scale));
            img = readScaled(slide, level, tw, th);
        }
        double dsx = (double) slide.width() / img.getWidth();
        double dsy = (double) slide.height() / img.getHeight();
        return segment(img, dsx, dsy, level, o);
    }

    /** Segments an RGB image whose cells each cover {@code dsx x dsy} level-0 pixels. */
    static TissueMask segment(BufferedImage img, double dsx, double dsy, int level, TissueOptions o) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = Images.pixels(img);
        int[] sat = new int[w * h];
        for (int i = 0; i < px.length; i++) {
            int p = Images.overWhite(px[i]);
            int r = (p >> 16) & 0xFF;
            int g = (p >> 8) & 0xFF;
            int b = p & 0xFF;
            int v = Math.max(r, Math.max(g, b));
            int min = Math.min(r, Math.min(g, b));
            sat[i] = v == 0 ? 0 : (int) Math.round(255.0 * (v - min) / v);
        }
        int[] blurred = median(sat, w, h, o.medianKernel());
        int threshold = o.otsu() ? otsu(blurred) : o.saturationThreshold();
        boolean[] mask = new boolean[w * h];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = blurred[i] > threshold;
        }
        if (o.closeKernel() > 0) {
            mask = erode(dilate(mask, w, h, o.closeKernel()), w, h, o.closeKernel());
        }
        // areas in reference patches at this resolution (CLAM: int(ref^2 / (scale_x * scale_y)))
        double refArea = Math.floor((double) o.referencePatchSize() * o.referencePatchSize() / (dsx * dsy));
        return filter(mask, w, h, dsx, dsy, level, o, o.minTissueArea() * refArea, o.minHoleArea() * refArea,
                threshold);
    }

    /** Median over a k x k window with replicated borders (OpenCV's medianBlur), by a sliding histogram. */
    static int[] median(int[] src, int w, int h, int k) {
        if (k == 1) {
            return src.clone();
        }
        int r = k / 2;
        int half = k * k / 2;
        int[] out = new int[w * h];
        int[] hist = new int[256];
        for (int y = 0; y < h; y++) {
            Arrays.fill(hist, 0);
            for (int dy = -r; dy <= r; dy++) {
                int sy = Math.min(h - 1, Math.max(0, y + dy));
                for (int dx = -r; dx <= r; dx++) {
                    hist[src[sy * w + Math.min(w - 1, Math.max(0, dx))]]++;
                }
            }
            for (int x = 0; x < w; x++) {
                if (x > 0) {
                    int xOut = Math.min(w - 1, Math.max(0, x - r - 1));
                    int xIn = Math.min(w - 1, Math.max(0, x + r));
                    for (int dy = -r; dy <= r; dy++) {
                        int sy = Math.min(h - 1, Math.max(0, y + dy));
                        hist[src[sy * w + xOut]]--;
                        hist[src[sy * w + xIn]]++;
                    }
                }
                int count = 0;
                int v = 0;
                while (count + hist[v] <= half) {
                    count += hist[v];
                    v++;
                }
                out[y * w + x] = v;
            }
        }
        return out;
    }

    /** Otsu's threshold over 0..255: pixels above it are foreground (as OpenCV's THRESH_OTSU). */
    static int otsu(int[] values) {
        long[] hist = new long[256];
        for (int v : values) {
            hist[v]++;
        }
        long total = values.length;
        double sum = 0;
        for (int i = 0; i < 256; i++) {
            sum += (double) i * hist[i];
        }
        double sumB = 0;
        long wB = 0;
        double best = -1;
        int threshold = 0;
        for (int t = 0; t < 256; t++) {
            wB += hist[t];
            if (wB == 0) {
                continue;
            }
            long wF = total - wB;
            if (wF == 0) {
                break;
            }
            sumB += (double) t * hist[t];
            double mB = sumB / wB;
            double mF = (sum - sumB) / wF;
            double between = (double) wB * wF * (mB - mF) * (mB - mF);
            if (between > best) {
                best = between;
                threshold = t;
            }
        }
        return threshold;
    }

    /** OpenCV's dilate with a k x k box anchored at (k/2, k/2); outside the image counts as background. */
    static boolean[] dilate(boolean[] m, int w, int h, int k) {
        return box(m, w, h, k, true);
    }

    /** OpenCV's erode with the same box; outside the image counts as foreground (it never erodes the edge). */
    static boolean[] erode(boolean[] m, int w, int h, int k) {
        return box(m, w, h, k, false);
    }

    private static boolean[] box(boolean[] m, int w, int h, int k, boolean dilate) {
        int a = k / 2;
        // separable: rows then columns
        boolean[] tmp = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean v = !dilate;
                for (int d = 0; d < k; d++) {
                    int sx = x + d - a;
                    boolean s = sx < 0 || sx >= w ? !dilate : m[y * w + sx];
                    if (dilate ? s : !s) {
                        v = dilate;
                        break;
                    }
                }
                tmp[y * w + x] = v;
            }
        }
        boolean[] out = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean v = !dilate;
                for (int d = 0; d < k; d++) {
                    int sy = y + d - a;
                    boolean s = sy < 0 || sy >= h ? !dilate : tmp[sy * w + x];
                    if (dilate ? s : !s) {
                        v = dilate;
                        break;
                    }
                }
                out[y * w + x] = v;
            }
        }
        return out;
    }

    /** CLAM's _filter_contours on components: keep regions above minArea, holes above minHole (largest first). */
    private static TissueMask filter(boolean[] mask, int w, int h, double dsx, double dsy, int level,
            TissueOptions o, double minArea, double minHole, int threshold) {
        int[] fg = label(mask, w, h, true, true);
        int[] bg = label(mask, w, h, false, false);
        int nFg = max(fg);
        int nBg = max(bg);
        long[] fgArea = new long[nFg + 1];
        int[][] box = new int[nFg + 1][];
        for (int i = 0; i < fg.length; i++) {
            int c = fg[i];
            if (c > 0) {
                fgArea[c]++;
                int x = i % w;
                int y = i / w;
                if (box[c] == null) {
                    box[c] = new int[] {x, y, x, y};
                } else {
                    box[c][0] = Math.min(box[c][0], x);
                    box[c][1] = Math.min(box[c][1], y);
                    box[c][2] = Math.max(box[c][2], x);
                    box[c][3] = Math.max(box[c][3], y);
                }
            }
        }
        // each background component that does not touch the border is a hole of the region around it
        long[] bgArea = new long[nBg + 1];
        boolean[] border = new boolean[nBg + 1];
        int[] owner = new int[nBg + 1];
        for (int i = 0; i < bg.length; i++) {
            int c = bg[i];
            if (c == 0) {
                continue;
            }
            bgArea[c]++;
            int x = i % w;
            int y = i / w;
            if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
                border[c] = true;
            }
            if (owner[c] == 0) {
                if (x > 0 && fg[i - 1] > 0) {
                    owner[c] = fg[i - 1];
                } else if (y > 0 && fg[i - w] > 0) {
                    owner[c] = fg[i - w];
                }
            }
        }
        List<List<Integer>> holesOf = new ArrayList<>();
        for (int c = 0; c <= nFg; c++) {
            holesOf.add(new ArrayList<>());
        }
        for (int c = 1; c <= nBg; c++) {
            if (!border[c] && owner[c] > 0) {
                holesOf.get(owner[c]).add(c);
            }
        }
        boolean[] keepFg = new boolean[nFg + 1];
        boolean[] keepHole = new boolean[nBg + 1];
        List<TissueMask.Region> regions = new ArrayList<>();
        for (int c = 1; c <= nFg; c++) {
            if (fgArea[c] == 0 || fgArea[c] <= minArea) {
                continue;
            }
            keepFg[c] = true;
            List<Integer> holes = holesOf.get(c);
            holes.sort((p, q) -> Long.compare(bgArea[q], bgArea[p]));
            int kept = 0;
            for (int hole : holes) {
                if (kept < o.maxHoles() && bgArea[hole] > minHole) {
                    keepHole[hole] = true;
                    kept++;
                }
            }
            regions.add(new TissueMask.Region(fgArea[c], box[c][0], box[c][1], box[c][2] - box[c][0] + 1,
                    box[c][3] - box[c][1] + 1, kept));
        }
        boolean[] tissue = new boolean[w * h];
        for (int i = 0; i < tissue.length; i++) {
            if (fg[i] > 0) {
                tissue[i] = keepFg[fg[i]];
            } else if (bg[i] > 0 && !border[bg[i]] && owner[bg[i]] > 0) {
                // a dropped hole is filled; a kept one stays background
                tissue[i] = keepFg[owner[bg[i]]] && !keepHole[bg[i]];
            }
        }
        return new TissueMask(w, h, dsx, dsy, level, tissue, regions, threshold);
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** Connected components of cells equal to {@code value} (1-based labels, 0 elsewhere). */
    static int[] label(boolean[] m, int w, int h, boolean value, boolean eight) {
        int[] labels = new int[w * h];
        int next = 0;
        int[] stack = new int[w * h];
        for (int start = 0; start < m.length; start++) {
            if (m[start] != value || labels[start] != 0) {
                continue;
            }
            next++;
            int top = 0;
            stack[top++] = start;
            labels[start] = next;
            while (top > 0) {
                int i = stack[--top];
                int x = i % w;
                int y = i / w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        if ((dx == 0 && dy == 0) || (!eight && dx != 0 && dy != 0)) {
                            continue;
                        }
                        int nx = x + dx;
                        int ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h) {
                            continue;
                        }
                        int j = ny * w + nx;
                        if (m[j] == value && labels[j] == 0) {
                            labels[j] = next;
                            stack[top++] = j;
                        }
                    }
                }
            }
        }
        return labels;
    }
}
