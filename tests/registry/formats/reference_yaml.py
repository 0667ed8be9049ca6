"""The registry YAML writer as it was before the export was written in one pass (commit
3e64ae2's registry/formats/yaml_emitter.py, its document writer only): the reference the
files' bytes are compared with, so that a faster writer never changes a file or its ETag.
Its scalars are the module's own (`_scalar`, `_block_text`), unchanged."""

from registry.formats.yaml_emitter import _block_text, _scalar


class _Writer:
    def __init__(self):
        self.strings: dict[str, str] = {}

    def scalar(self, value) -> str:
        if value.__class__ is not str:
            return _scalar(value)
        text = self.strings.get(value)
        if text is None:
            text = self.strings[value] = _scalar(value)
        return text

    def emit(self, value, indent: int, out: list[str]) -> None:
        pad, strings = "  " * indent, self.strings
        if isinstance(value, dict):
            for key, item in value.items():
                head = f"{pad}{strings.get(key) or self.scalar(key)}:"
                if isinstance(item, dict | list):
                    if item:
                        out.append(head + "\n")
                        self.emit(item, indent + 1, out)
                    else:
                        out.append(f"{head} {'{}' if isinstance(item, dict) else '[]'}\n")
                elif isinstance(item, str) and "\n" in item and _block_text(item):
                    out.append(f"{head} |{'' if item.endswith(chr(10)) else '-'}\n")
                    out.extend(f"{pad}  {line}\n" if line else "\n"
                               for line in item.rstrip("\n").split("\n"))
                else:
                    text = strings.get(item) if item.__class__ is str else None
                    out.append(f"{head} {text or self.scalar(item)}\n")
            return
        for item in value:
            if isinstance(item, dict | list) and item:
                lines: list[str] = []
                self.emit(item, indent + 1, lines)
                out.append(f"{pad}- {lines[0].lstrip()}")
                out.extend(lines[1:])
            elif isinstance(item, dict | list):
                out.append(f"{pad}- {'{}' if isinstance(item, dict) else '[]'}\n")
            else:
                out.append(f"{pad}- {self.scalar(item)}\n")


def to_yaml(document: dict) -> str:
    out: list[str] = []
    _Writer().emit(document, 0, out)
    return "".join(out)
