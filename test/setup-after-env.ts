// Every test file removes the cloud-assembly directories its apps wrote (test/helpers/compliance `newTestApp`, `newTemplateApp`) as soon as it
// ends; whatever else lands in the temporary directory is removed with it by test/global-teardown.js.
import { removeTestOutdirs } from './helpers/compliance';

afterAll(removeTestOutdirs);
