//! Three-way merge of config text: line merge first, then a structural YAML
//! merge when the line merge conflicts. Pure.
