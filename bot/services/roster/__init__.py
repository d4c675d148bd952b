"""The roster: reading spreadsheets, checking rows, applying the import.

In the order an import runs:
  limits    what one file may hold ([roster]): size, an .xlsx unpacked, rows; checked first
  files     read .xlsx and .csv files (encodings, broken workbooks) into tables
  tables    recognise a sheet as enterprises or cadres from its header row
  rows      the read tables, rows and file issues; cell and name normalisation
  cells     cells no column may hold (formulas, oversized values)
  parsing   one row into a CadreRow or EnterpriseRow, bad cells reported
  checks    every row against the other rows and the database snapshot
  plan      what the import writes and counts
  model     problems, the Checker that collects them, RosterError, RosterReport, credit codes
  service   RosterService: all of the above in one transaction
"""
