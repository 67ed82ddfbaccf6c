package org.pathoreason.knowledge;

import java.io.InputStream;
import org.pathoreason.data.DataException;

/** OWL ontologies in RDF/XML. */
final class OwlGraphFormat {

    private OwlGraphFormat() {
    }

    static KnowledgeGraph read(InputStream in, String source) {
        throw new DataException(source + ": OWL (RDF/XML) graphs are not supported yet");
    }
}
