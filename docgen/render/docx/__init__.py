"""Word output: the report and the diff as editable DOCX, built with python-docx from the
same template context as the HTML and the PDF (never by converting HTML).

Imported only when a DOCX is asked for: python-docx and resvg load with it.
"""
