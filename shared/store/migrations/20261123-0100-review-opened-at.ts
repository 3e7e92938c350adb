export const id = '20261123-0100-review-opened-at';
// When a case opened, for the age term of review priority. A trigger keeps it, so the classifier's
// and the reducer's write paths stay untouched: it is set when a subject enters open/escalated and
// cleared when the case closes (escalation keeps the age: the case has been waiting all along).
export const sql = `
ALTER TABLE subject_status ADD COLUMN review_opened_at timestamptz;
UPDATE subject_status SET review_opened_at = updated_at WHERE review_state IN ('open', 'escalated');
CREATE FUNCTION subject_status_review_opened_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.review_state IN ('open', 'escalated') THEN
    IF TG_OP = 'INSERT' OR OLD.review_state NOT IN ('open', 'escalated') OR OLD.review_opened_at IS NULL THEN
      NEW.review_opened_at := now();
    END IF;
  ELSE
    NEW.review_opened_at := NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER subject_status_review_opened_at BEFORE INSERT OR UPDATE ON subject_status
  FOR EACH ROW EXECUTE FUNCTION subject_status_review_opened_at();
CREATE INDEX subject_status_claimed_idx ON subject_status (claimed_by) WHERE claimed_by IS NOT NULL;
`;
