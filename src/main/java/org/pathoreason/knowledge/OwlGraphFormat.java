package org.pathoreason.knowledge;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * OWL ontologies in RDF/XML (as Protégé writes them), read with the JDK's SAX parser.
 *
 * <ul>
 *   <li>Every named {@code owl:Class} becomes an entity of type {@code class}. Its name is its first
 *       {@code rdfs:label} (English or untagged preferred), else {@code skos:prefLabel}, else the IRI's local name;
 *       further labels, {@code oboInOwl:hasExactSynonym} and {@code skos:altLabel} become synonyms. Its id is the
 *       IRI's local name ({@code GO_0005634}, {@code Antibody}), or the whole IRI where local names clash.
 *   <li>{@code rdfs:subClassOf} a named class gives {@code is_a}; {@code owl:equivalentClass} a named class gives
 *       {@code equivalent_to}, and the named members of an equivalent {@code owl:intersectionOf} give {@code is_a}.
 *   <li>A restriction ({@code owl:onProperty P} with {@code someValuesFrom}, {@code allValuesFrom} or
 *       {@code hasValue} a named class), under {@code subClassOf} or {@code equivalentClass}, gives a relation
 *       named after P's label or local name in lower_snake_case ({@code part of} and {@code partOf} both give
 *       {@code part_of}), with the attribute {@code restriction} = {@code some}, {@code only} or {@code value}.
 *   <li>Classes referred to but not declared (imports) become entities named after their local name.
 *       Individuals, annotations on axioms and data properties are not read.
 * </ul>
 */
final class OwlGraphFormat {

    private static final String RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private static final String RDFS = "http://www.w3.org/2000/01/rdf-schema#";
    private static final String OWL = "http://www.w3.org/2002/07/owl#";
    private static final String SKOS = "http://www.w3.org/2004/02/skos/core#";
    private static final String OBO_IN_OWL = "http://www.geneontology.org/formats/oboInOwl#";
    private static final String XML = XMLConstants.XML_NS_URI;
    private static final String THING = OWL + "Thing";

    private OwlGraphFormat() {
    }

    /** A parsed element with the line it starts on. */
    private static final class Node {
        final String ns;
        final String local;
        final Map<String, String> attrs = new HashMap<>();
        final StringBuilder text = new StringBuilder();
        final List<Node> children = new ArrayList<>();
        final int line;

        Node(String ns, String local, int line) {
            this.ns = ns;
            this.local = local;
            this.line = line;
        }

        boolean is(String namespace, String name) {
            return namespace.equals(ns) && name.equals(local);
        }

        String attr(String namespace, String name) {
            return attrs.get(namespace + name);
        }
    }

    private static final class OwlClass {
        final String iri;
        final int line;
        final List<String> labels = new ArrayList<>();
        final List<String> otherNames = new ArrayList<>();
        String prefLabel;

        OwlClass(String iri, int line) {
            this.iri = iri;
            this.line = line;
        }
    }

    private record Edge(String head, String type, String tail, Map<String, String> attributes, int line) {
    }

    static KnowledgeGraph read(InputStream in, String source) throws IOException {
        Node root = parse(in, source);
        if (!root.is(RDF, "RDF")) {
            throw GraphException.at(source, root.line, "expected an RDF/XML document with an rdf:RDF root, found <"
                    + root.local + ">");
        }
        String base = root.attr(XML, "base");
        KnowledgeGraph.Builder builder = KnowledgeGraph.builder().name(GraphFormats.baseName(source));

        Map<String, String> propertyNames = new HashMap<>();
        Map<String, OwlClass> classes = new LinkedHashMap<>();
        for (Node n : root.children) {
            String iri = subject(n, base);
            if (iri == null) {
                continue;
            }
            if (n.is(OWL, "ObjectProperty")) {
                String label = preferredLabel(n);
                propertyNames.putIfAbsent(iri, label != null ? label : localName(iri));
            } else if (n.is(OWL, "Class")) {
                OwlClass c = classes.computeIfAbsent(iri, k -> new OwlClass(k, n.line));
                for (Node p : n.children) {
                    String text = p.text.toString().strip();
                    if (text.isEmpty()) {
                        continue;
                    }
                    if (p.is(RDFS, "label")) {
                        String lang = p.attr(XML, "lang");
                        if (lang == null || lang.toLowerCase(java.util.Locale.ROOT).startsWith("en")) {
                            c.labels.add(text);
                        }
                    } else if (p.is(SKOS, "prefLabel") && c.prefLabel == null) {
                        c.prefLabel = text;
                    } else if (p.is(OBO_IN_OWL, "hasExactSynonym") || p.is(SKOS, "altLabel")) {
                        c.otherNames.add(text);
                    }
                }
            }
        }

        List<Edge> edges = new ArrayList<>();
        for (Node n : root.children) {
            String iri = subject(n, base);
            if (iri == null || !n.is(OWL, "Class")) {
                continue;
            }
            for (Node p : n.children) {
                if (p.is(RDFS, "subClassOf")) {
                    String target = resource(p, base);
                    if (target != null) {
                        edges.add(new Edge(iri, Relation.IS_A, target, Map.of(), p.line));
                    }
                    for (Node inner : p.children) {
                        restriction(iri, inner, base, propertyNames, edges);
                    }
                } else if (p.is(OWL, "equivalentClass")) {
                    String target = resource(p, base);
                    if (target != null) {
                        edges.add(new Edge(iri, "equivalent_to", target, Map.of(), p.line));
                    }
                    for (Node inner : p.children) {
                        if (inner.is(OWL, "Class")) {
                            for (Node list : inner.children) {
                                if (list.is(OWL, "intersectionOf")) {
                                    for (Node member : list.children) {
                                        String named = subject(member, base);
                                        if (member.is(RDF, "Description") || member.is(OWL, "Class")) {
                                            if (named != null) {
                                                edges.add(new Edge(iri, Relation.IS_A, named, Map.of(), member.line));
                                            }
                                        } else {
                                            restriction(iri, member, base, propertyNames, edges);
                                        }
                                    }
                                }
                            }
                        } else {
                            restriction(iri, inner, base, propertyNames, edges);
                        }
                    }
                }
            }
        }
        edges.removeIf(e -> e.tail().equals(THING));
        for (Edge e : edges) {
            classes.computeIfAbsent(e.tail(), k -> new OwlClass(k, e.line()));
        }

        Map<String, String> ids = ids(classes.keySet());
        for (OwlClass c : classes.values()) {
            try {
                builder.addEntity(entity(c, ids.get(c.iri)));
            } catch (IllegalArgumentException e) {
                throw GraphException.at(source, c.line, e.getMessage());
            }
        }
        for (Edge e : edges) {
            try {
                builder.addRelation(new Relation(ids.get(e.head()), e.type(), ids.get(e.tail()), e.attributes()));
            } catch (IllegalArgumentException ex) {
                throw GraphException.at(source, e.line(), ex.getMessage());
            }
        }
        return builder.build();
    }

    private static void restriction(String head, Node r, String base, Map<String, String> propertyNames,
                                    List<Edge> edges) {
        if (!r.is(OWL, "Restriction")) {
            return;
        }
        String property = null;
        for (Node p : r.children) {
            if (p.is(OWL, "onProperty")) {
                property = resource(p, base);
            }
        }
        if (property == null) {
            return;
        }
        String type = relationName(propertyNames.getOrDefault(property, localName(property)));
        if (type.isEmpty()) {
            return;
        }
        for (Node p : r.children) {
            String kind = p.is(OWL, "someValuesFrom") ? "some" : p.is(OWL, "allValuesFrom") ? "only"
                    : p.is(OWL, "hasValue") ? "value" : null;
            String target = kind == null ? null : resource(p, base);
            if (target != null) {
                edges.add(new Edge(head, type, target, Map.of("restriction", kind), p.line));
            }
        }
    }

    private static Entity entity(OwlClass c, String id) {
        List<String> all = new ArrayList<>(c.labels);
        if (c.prefLabel != null) {
            all.add(c.labels.isEmpty() ? 0 : all.size(), c.prefLabel);
        }
        all.addAll(c.otherNames);
        String name = all.isEmpty() ? localName(c.iri).replace('_', ' ').strip() : all.get(0);
        if (name.isEmpty()) {
            name = c.iri;
        }
        Set<String> seen = new LinkedHashSet<>();
        seen.add(Names.fold(name));
        List<String> synonyms = new ArrayList<>();
        for (String s : all) {
            if (seen.add(Names.fold(s))) {
                synonyms.add(s);
            }
        }
        return new Entity(id, name, "class", synonyms);
    }

    /** Local names where they are unique, the full IRI where two IRIs share one. */
    private static Map<String, String> ids(Set<String> iris) {
        Map<String, Integer> counts = new HashMap<>();
        for (String iri : iris) {
            counts.merge(localName(iri), 1, Integer::sum);
        }
        Map<String, String> ids = new HashMap<>();
        for (String iri : iris) {
            String local = localName(iri);
            ids.put(iri, local.isEmpty() || counts.get(local) > 1 ? iri : local);
        }
        return ids;
    }

    private static String preferredLabel(Node n) {
        String any = null;
        for (Node p : n.children) {
            if (p.is(RDFS, "label")) {
                String text = p.text.toString().strip();
                String lang = p.attr(XML, "lang");
                if (!text.isEmpty() && (lang == null || lang.startsWith("en"))) {
                    return text;
                }
                if (any == null && !text.isEmpty()) {
                    any = text;
                }
            }
        }
        return any;
    }

    /** The IRI an element describes ({@code rdf:about} or {@code rdf:ID}), or null for a blank node. */
    private static String subject(Node n, String base) {
        String about = n.attr(RDF, "about");
        if (about != null) {
            return resolve(about, base);
        }
        String id = n.attr(RDF, "ID");
        return id == null ? null : resolve("#" + id, base);
    }

    private static String resource(Node n, String base) {
        String r = n.attr(RDF, "resource");
        return r == null ? null : resolve(r, base);
    }

    private static String resolve(String ref, String base) {
        if (base != null && (ref.isEmpty() || ref.startsWith("#"))) {
            int hash = base.indexOf('#');
            return (hash >= 0 ? base.substring(0, hash) : base) + ref;
        }
        return ref;
    }

    static String localName(String iri) {
        int cut = Math.max(iri.lastIndexOf('#'), Math.max(iri.lastIndexOf('/'), iri.lastIndexOf(':')));
        return iri.substring(cut + 1);
    }

    /** {@code part of}, {@code partOf} and {@code part_of} all give {@code part_of}. */
    static String relationName(String label) {
        StringBuilder b = new StringBuilder(label.length() + 4);
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(label.charAt(i - 1))) {
                b.append(' ');
            }
            b.append(c);
        }
        return Names.toLowerSnake(b.toString());
    }

    private static Node parse(InputStream in, String source) throws IOException {
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            // Internal DTD entities (Protégé writes them) are fine; nothing is fetched from outside.
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            SAXParser parser = factory.newSAXParser();
            TreeHandler handler = new TreeHandler();
            parser.parse(in, handler);
            if (handler.root == null) {
                throw new GraphException(source + ": empty XML document");
            }
            return handler.root;
        } catch (SAXParseException e) {
            throw new GraphException(source + ":" + e.getLineNumber() + ":" + e.getColumnNumber() + ": malformed XML: "
                    + e.getMessage(), e);
        } catch (SAXException | ParserConfigurationException e) {
            throw new GraphException(source + ": cannot parse XML: " + e.getMessage(), e);
        }
    }

    private static final class TreeHandler extends DefaultHandler {
        Node root;
        private final List<Node> stack = new ArrayList<>();
        private Locator locator;

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            Node n = new Node(uri, localName, locator == null ? 0 : locator.getLineNumber());
            for (int i = 0; i < attributes.getLength(); i++) {
                n.attrs.put(attributes.getURI(i) + attributes.getLocalName(i), attributes.getValue(i));
            }
            if (stack.isEmpty()) {
                root = n;
            } else {
                stack.get(stack.size() - 1).children.add(n);
            }
            stack.add(n);
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            stack.remove(stack.size() - 1);
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (!stack.isEmpty()) {
                Node top = stack.get(stack.size() - 1);
                // Only leaves keep text; white space between child elements is dropped.
                if (top.children.isEmpty()) {
                    top.text.append(ch, start, length);
                }
            }
        }
    }
}
