package org.pathoreason.image;

/** An image whose stored size is over the pixel limit (or the heap), refused before its pixels are decoded. */
public class ImageTooLargeException extends ImageReadException {

    public ImageTooLargeException(String message) {
        super(message);
    }
}
