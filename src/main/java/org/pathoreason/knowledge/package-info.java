/**
 * The knowledge graph layer: typed entities and relations ({@link org.pathoreason.knowledge.KnowledgeGraph}),
 * loaders for several file formats, an entity matcher over free text and path finding.
 *
 * <h2>JSON format (the project's own; {@code .json})</h2>
 * <pre>
 * {"name": "synthpath",
 *  "entities": [{"id": "plasma_cell", "name": "plasma cell", "type": "cell_type", "synonyms": ["plasmacyte"]}, ...],
 *  "relations": [{"head": "chronic_inflammation", "relation": "has_finding", "tail": "plasma_cell", "required": true}, ...]}
 * </pre>
 * Entities need {@code id}, {@code name}, {@code type} (lower_snake_case) and may have {@code synonyms}; other
 * entity fields are errors. Relations need {@code head}, {@code relation} (lower_snake_case) and {@code tail}
 * (entity ids); any other field with a string, number or boolean value becomes a string attribute. Other top-level
 * fields are free metadata and ignored. Written back one record per line, attributes {@code true}/{@code false}
 * as JSON booleans.
 *
 * <h2>TSV format ({@code .tsv}, {@code .txt})</h2>
 * <pre>
 * #name	synthpath
 * #entity	plasma_cell	cell_type	plasma cell	plasmacyte|plasma cells
 * chronic_inflammation	has_finding	plasma_cell	required=true;weight=0.8
 * </pre>
 * Tab-separated. {@code #entity} lines declare an entity (id, type, name, optional {@code |}-separated synonyms),
 * anywhere in the file; other lines starting with {@code #} are comments; every other non-blank line is a triple
 * {@code head relation tail} of entity ids with an optional fourth field of {@code key=value} pairs separated by
 * {@code ;} (values may not contain {@code ;} or tabs).
 *
 * <h2>PrimeKG ({@code .csv})</h2>
 * PrimeKG's {@code kg.csv} with its header ({@code relation, display_relation, x_index, x_id, x_type, x_name,
 * x_source, y_index, y_id, y_type, y_name, y_source}), RFC 4180 quoting. Entity id {@code type:source:id} (type in
 * lower_snake_case, e.g. {@code gene_protein:NCBI:9796}), name {@code x_name}; relation type {@code relation} in
 * lower_snake_case with {@code display_relation} as the attribute {@code display}.
 *
 * <h2>OWL ({@code .owl}, {@code .rdf}, {@code .xml})</h2>
 * Ontologies in RDF/XML: named classes become entities of type {@code class} (name from {@code rdfs:label},
 * synonyms from further labels and {@code oboInOwl:hasExactSynonym}), {@code rdfs:subClassOf} gives {@code is_a},
 * and existential or universal restrictions give relations named after their property
 * ({@code has_morphologic_evidence}). Details in {@code OwlGraphFormat}.
 *
 * <p>Any of these may be gzipped ({@code .gz}). A file without a known extension is recognised by its first bytes.
 * Every malformed file gives a {@link org.pathoreason.data.GraphException} whose message starts with
 * {@code FILE:LINE:} (JSON: {@code FILE:LINE:COLUMN:} and the record, e.g. {@code relations[3]}).
 */
package org.pathoreason.knowledge;

