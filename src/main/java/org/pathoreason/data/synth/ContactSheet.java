package org.pathoreason.data.synth;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** A grid of tiles with a caption under each, for people to look at a dataset; small tiles are enlarged. */
public final class ContactSheet {

    private ContactSheet() {
    }

    /**
     * Lays out images (all the same size) in {@code columns} columns, each with up to {@code captionLines} lines of
     * its label underneath.
     */
    public static BufferedImage of(List<BufferedImage> images, List<String> labels, int columns, int captionLines) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("contact sheet needs at least one image");
        }
        if (labels.size() != images.size()) {
            throw new IllegalArgumentException("contact sheet: " + images.size() + " images but " + labels.size()
                    + " labels");
        }
        // Small tiles are shown enlarged (whole-pixel factor, nearest neighbour) so that cells can be made out.
        int zoom = Math.max(1, 200 / images.get(0).getWidth());
        int tile = images.get(0).getWidth() * zoom;
        int fontSize = Math.max(9, Math.min(12, tile / 18));
        int lineH = fontSize + 2;
        int pad = 6;
        int cellW = Math.max(tile, 150) + pad;
        int cellH = tile + captionLines * lineH + pad + 2;
        int rows = (images.size() + columns - 1) / columns;
        BufferedImage sheet = new BufferedImage(columns * cellW + pad, rows * cellH + pad, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, fontSize));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < images.size(); i++) {
                int x = pad + (i % columns) * cellW;
                int y = pad + (i / columns) * cellH;
                g.drawImage(images.get(i), x, y, tile, tile, null);
                g.setColor(Color.DARK_GRAY);
                int line = 0;
                for (String text : wrap(labels.get(i), fm, cellW - pad)) {
                    if (line == captionLines) {
                        break;
                    }
                    g.drawString(text, x, y + tile + lineH * (line + 1));
                    line++;
                }
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    private static List<String> wrap(String text, FontMetrics fm, int width) {
        List<String> lines = new ArrayList<>();
        for (String paragraph : text.split("\n")) {
            StringBuilder line = new StringBuilder();
            for (String word : paragraph.split(" ")) {
                String candidate = line.length() == 0 ? word : line + " " + word;
                if (fm.stringWidth(candidate) > width && line.length() > 0) {
                    lines.add(line.toString());
                    line = new StringBuilder(word);
                } else {
                    line = new StringBuilder(candidate);
                }
            }
            lines.add(line.toString());
        }
        return lines;
    }
}
