"""Reading a page's forms as a browser would pair labels and controls: for checks that ids do not
repeat, that each label leads to a control of its own form and that every control has a name."""

from collections import Counter
from html.parser import HTMLParser

LABELABLE = {"input", "select", "textarea", "button", "meter", "output", "progress"}


class FormsOnPage(HTMLParser):
    """Reads a page's ids, labels and controls, and the form and fieldset each one sits in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = 0
        self.form_stack: list[int] = []
        self.fieldsets: list[dict] = []
        self.fieldset_stack: list[dict] = []
        self.ids: list[str] = []
        self.elements: dict[str, dict] = {}
        self.labels: list[dict] = []
        self.controls: list[dict] = []
        self.open_labels: list[dict] = []
        self.in_legend = False

    @property
    def form(self) -> int | None:
        return self.form_stack[-1] if self.form_stack else None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms += 1
            self.form_stack.append(self.forms)
        elif tag == "fieldset":
            fieldset = {"legend": "", "radios": set()}
            self.fieldsets.append(fieldset)
            self.fieldset_stack.append(fieldset)
        elif tag == "legend":
            self.in_legend = True
        element = {"tag": tag, "attrs": attrs, "form": self.form}
        if "id" in attrs:
            self.ids.append(attrs["id"])
            self.elements.setdefault(attrs["id"], element)
        if tag == "label":
            label = {"for": attrs.get("for"), "form": self.form, "text": ""}
            self.labels.append(label)
            self.open_labels.append(label)
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            element["inside_label"] = bool(self.open_labels)
            self.controls.append(element)
            if attrs.get("type") == "radio" and self.fieldset_stack:
                self.fieldset_stack[-1]["radios"].add(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "form" and self.form_stack:
            self.form_stack.pop()
        elif tag == "fieldset" and self.fieldset_stack:
            self.fieldset_stack.pop()
        elif tag == "legend":
            self.in_legend = False
        elif tag == "label" and self.open_labels:
            self.open_labels.pop()

    def handle_data(self, data):
        for label in self.open_labels:
            label["text"] += data
        if self.in_legend and self.fieldset_stack:
            self.fieldset_stack[-1]["legend"] += data

    def name_of(self, control: dict) -> str:
        """The control's accessible name, as far as labels and aria-label give it."""
        attrs = control["attrs"]
        if attrs.get("aria-label"):
            return attrs["aria-label"]
        if attrs.get("aria-labelledby"):
            # Named by other elements: enough here that they exist (their text is not kept).
            ids = attrs["aria-labelledby"].split()
            return f"(labelled by {' '.join(ids)})" if all(i in self.elements for i in ids) else ""
        id_ = attrs.get("id")
        if not id_ or self.elements.get(id_) is not control:
            return ""  # a label's for= leads to the first element of that id only
        texts = [label["text"] for label in self.labels if label["for"] == id_]
        return " ".join(" ".join(text.split()) for text in texts)


def read(html: str) -> FormsOnPage:
    page = FormsOnPage()
    page.feed(html)
    page.close()
    return page


def form_problems(html: str) -> list[str]:
    """Duplicate ids, labels pointing elsewhere than a control of their own form, nameless
    controls."""
    page = read(html)
    problems = [f"id {id_!r} is used {n} times" for id_, n in Counter(page.ids).items() if n > 1]
    for label in page.labels:
        if label["for"] is None:
            continue
        target = page.elements.get(label["for"])
        if target is None or target["tag"] not in LABELABLE:
            problems.append(f"label {label['text'].split()} points at no control")
        elif target["form"] != label["form"]:
            problems.append(f"label {label['text'].split()} points at a control of another form")
    for control in page.controls:
        if not control.get("inside_label") and not page.name_of(control):
            problems.append(f"{control['tag']} {control['attrs'].get('name')!r} has no name")
    return problems
