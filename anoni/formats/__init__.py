"""Date and number formats where Django's own differ from how a language is written
(FORMAT_MODULE_PATH): only what is set here replaces Django's."""
